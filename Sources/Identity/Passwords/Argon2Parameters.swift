/// The cost of one Argon2id hash: memory, passes, lanes and the sizes of salt and tag.
///
/// `owasp` is what Syncline stores; tests use cheaper values so they run quickly.
public struct Argon2Parameters: Sendable, Hashable {
    /// Memory per hash in KiB (libargon2's `m_cost`).
    public var memoryKiB: UInt32
    /// Passes over the memory (libargon2's `t_cost`).
    public var iterations: UInt32
    /// Lanes computed in parallel (libargon2's `parallelism`).
    public var parallelism: UInt32
    /// Bytes of random salt per hash.
    public var saltLength: Int
    /// Bytes of the derived tag.
    public var tagLength: Int

    /// OWASP's recommended Argon2id setting: 19 MiB, two passes, one lane, 16-byte salt, 32-byte tag.
    public static let owasp = Argon2Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1)

    /// Creates a parameter set; salt and tag lengths default to 16 and 32 bytes.
    public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, saltLength: Int = 16, tagLength: Int = 32) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        self.saltLength = saltLength
        self.tagLength = tagLength
    }
}

extension Argon2Parameters {
    /// The parameters written in a PHC string made by libargon2 for Argon2id version 19, or nil
    /// when the string is anything else.
    ///
    /// The expected shape is `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>`, salt and
    /// tag in unpadded standard base64, as `argon2id_hash_encoded` writes it.
    init?(phc: String) {
        let fields = phc.utf8.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].isEmpty, fields[1].elementsEqual("argon2id".utf8),
            fields[2].elementsEqual("v=19".utf8)
        else { return nil }

        let costs = fields[3].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard costs.count == 3,
            let memory = Self.number(costs[0], named: "m"),
            let iterations = Self.number(costs[1], named: "t"),
            let parallelism = Self.number(costs[2], named: "p"),
            let saltLength = Self.decodedLength(fields[4]),
            let tagLength = Self.decodedLength(fields[5])
        else { return nil }

        self.init(
            memoryKiB: memory, iterations: iterations, parallelism: parallelism, saltLength: saltLength,
            tagLength: tagLength)
    }

    /// The value of a `name=digits` field, without sign or leading zeros, that fits 32 bits.
    private static func number(_ field: Substring.UTF8View, named name: String) -> UInt32? {
        let prefix = Array(name.utf8) + [UInt8(ascii: "=")]
        guard field.starts(with: prefix) else { return nil }
        let digits = field.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            digits.first != UInt8(ascii: "0") || digits.count == 1
        else { return nil }
        return UInt32(String(decoding: digits, as: UTF8.self))
    }

    /// The byte count of unpadded standard base64 text, or nil when it is not such text.
    private static func decodedLength(_ field: Substring.UTF8View) -> Int? {
        let isBase64 = field.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                true
            default: false
            }
        }
        guard isBase64, !field.isEmpty, field.count % 4 != 1 else { return nil }
        return field.count * 3 / 4
    }
}
