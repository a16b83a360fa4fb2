import Core
import Foundation
import Storage

/// The hash chain's rules: how an entry's hash and the head's MAC are computed.
///
/// Every value is encoded with a length prefix (or at a fixed width), so no field can bleed into
/// its neighbour, and each kind of input starts with its own domain tag, so an entry hash can
/// never be mistaken for a head MAC.
enum AuditChain {
    /// The `previous_hash` of the first entry ever written, and the prune anchor's hash before
    /// any pruning.
    static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical encoding of an entry's own values, which does not depend on its place in the
    /// chain and so can be built on the recording thread before the writer assigns the id.
    static func content<Text: Collection<UInt8>>(of fields: AuditEntryFields<Text>) -> [UInt8] {
        let size =
            8 + CanonicalWriter.size(of: fields.actor) + CanonicalWriter.size(of: fields.action)
            + CanonicalWriter.size(of: fields.target) + CanonicalWriter.size(of: fields.outcome)
            + CanonicalWriter.size(of: fields.ip) + CanonicalWriter.size(of: fields.userAgent)
            + CanonicalWriter.size(of: fields.details)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = CanonicalWriter(storage: UnsafeMutableRawBufferPointer(buffer))
            writer.append(fields.milliseconds)
            writer.append(fields.actor)
            writer.append(fields.action)
            writer.append(fields.target)
            writer.append(fields.outcome)
            writer.append(fields.ip)
            writer.append(fields.userAgent)
            writer.append(fields.details)
            initialized = writer.count
        }
    }

    fileprivate static let entryDomain = "syncline.audit.entry.v1"
    fileprivate static let headDomain = "syncline.audit.head.v1"
}

/// Computes entry hashes and head MACs under one key with one keyed HMAC context, reused from
/// one entry to the next.
///
/// Not `Sendable`, like the context it holds: a writer makes one per transaction, a verifier one
/// per walk.
final class AuditChainHasher {
    private let mac: HMACSHA256

    init(key: [UInt8]) {
        mac = HMACSHA256(key: key)
    }

    /// The hash of one entry as lowercase hex: HMAC-SHA-256 over its canonical bytes, which are
    /// the domain tag, the previous hash, the id and then `content` (see ``AuditChain/content(of:)``).
    func entryHash<Hash: Collection<UInt8>>(previousHash: Hash, id: Int64, content: [UInt8]) -> String {
        let domain = AuditChain.entryDomain.utf8
        mac.start()
        CanonicalWriter.withTemporaryStorage(
            size: CanonicalWriter.size(of: domain) + CanonicalWriter.size(of: previousHash) + 8
        ) { writer in
            writer.append(domain)
            writer.append(previousHash)
            writer.append(id)
            mac.update(writer.written)
        }
        content.withUnsafeBytes { mac.update($0) }
        return finish()
    }

    /// The MAC of the head row over its four values, as lowercase hex.
    func headMAC(_ head: AuditChainHead) -> String {
        let domain = AuditChain.headDomain.utf8
        let (lastHash, prunedThroughHash) = (head.lastHash.utf8, head.prunedThroughHash.utf8)
        mac.start()
        CanonicalWriter.withTemporaryStorage(
            size: CanonicalWriter.size(of: domain) + 16 + CanonicalWriter.size(of: lastHash)
                + CanonicalWriter.size(of: prunedThroughHash)
        ) { writer in
            writer.append(domain)
            writer.append(head.lastID)
            writer.append(lastHash)
            writer.append(head.prunedThroughID)
            writer.append(prunedThroughHash)
            mac.update(writer.written)
        }
        return finish()
    }

    /// The code of the message in progress, hex-encoded straight into the string's storage.
    private func finish() -> String {
        withUnsafeTemporaryAllocation(byteCount: HMACSHA256.byteCount, alignment: 1) { code in
            mac.finish(into: code)
            return String(unsafeUninitializedCapacity: code.count * 2) { text in
                for (index, byte) in code.enumerated() {
                    text[2 * index] = Self.hexDigits[Int(byte >> 4)]
                    text[2 * index + 1] = Self.hexDigits[Int(byte & 0x0F)]
                }
                return code.count * 2
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// The hashed values of one entry other than its id and previous hash, as UTF-8 bytes of any
/// container.
///
/// The recorder fills it from strings, the verifier from the driver's buffers, so both hash the
/// same bytes without the verifier building a `String` per column.
struct AuditEntryFields<Text: Collection<UInt8>> {
    var milliseconds: Int64
    var actor: Text
    var action: Text
    var target: Text
    var outcome: Text
    var ip: Text
    var userAgent: Text
    /// The details object exactly as stored: JSON with keys in ascending order.
    var details: Text
}

/// Writes length-prefixed fields and fixed-width integers through a pointer, into storage sized
/// for them beforehand with ``size(of:)`` (8 bytes per integer).
private struct CanonicalWriter {
    private let storage: UnsafeMutableRawBufferPointer
    /// How many bytes have been written.
    private(set) var count = 0

    init(storage: UnsafeMutableRawBufferPointer) {
        self.storage = storage
    }

    /// The bytes written so far.
    var written: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[..<count])
    }

    /// How many bytes `field` takes: its 8-byte length and the field itself.
    static func size<Field: Collection<UInt8>>(of field: Field) -> Int {
        8 + field.count
    }

    /// Runs `body` with a writer over `size` bytes of temporary storage.
    static func withTemporaryStorage(size: Int, _ body: (inout CanonicalWriter) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { storage in
            var writer = CanonicalWriter(storage: storage)
            body(&writer)
        }
    }

    /// Appends the field's length as 8 bytes, big-endian, then the field.
    mutating func append<Field: Collection<UInt8>>(_ field: Field) {
        let length = field.count
        append(Int64(length))
        precondition(count + length <= storage.count, "canonical bytes sized too small")
        UnsafeMutableRawBufferPointer(rebasing: storage[count..<count + length]).copyBytes(from: field)
        count += length
    }

    /// Appends `number` as 8 bytes, big-endian.
    mutating func append(_ number: Int64) {
        precondition(count + 8 <= storage.count, "canonical bytes sized too small")
        storage.storeBytes(of: number.bigEndian, toByteOffset: count, as: Int64.self)
        count += 8
    }
}

/// The single `audit_chain` row: where the chain ends and where it starts after pruning.
struct AuditChainHead: Hashable {
    var lastID: Int64
    var lastHash: String
    var prunedThroughID: Int64
    var prunedThroughHash: String
    var mac: String

    /// The head of a chain with no entries yet.
    static func empty(hasher: AuditChainHasher) -> AuditChainHead {
        var head = AuditChainHead(
            lastID: 0, lastHash: AuditChain.genesisHash, prunedThroughID: 0,
            prunedThroughHash: AuditChain.genesisHash, mac: "")
        head.seal(hasher: hasher)
        return head
    }

    /// Whether the stored MAC matches the four values under the hasher's key.
    func isAuthentic(hasher: AuditChainHasher) -> Bool {
        Crypto.constantTimeEquals(Array(mac.utf8), Array(hasher.headMAC(self).utf8))
    }

    /// Recomputes the MAC after the values changed.
    mutating func seal(hasher: AuditChainHasher) {
        mac = hasher.headMAC(self)
    }

    private static let columns = "last_id, last_hash, pruned_through_id, pruned_through_hash, mac"

    /// Reads the head, locking its row when asked.
    ///
    /// With `locking`, PostgreSQL holds the row lock until the transaction ends, so concurrent
    /// writers (other server instances) extend the chain one after the other. SQLite needs no
    /// lock: its write transaction already excludes every other writer.
    static func load(
        from connection: any DatabaseConnection, locking: Bool
    ) throws(DatabaseError) -> AuditChainHead? {
        var sql = "SELECT \(columns) FROM audit_chain WHERE id = 1"
        if locking && connection.dialect == .postgres { sql += " FOR UPDATE" }
        guard let row = try connection.queryOne(sql) else { return nil }
        return AuditChainHead(
            lastID: try row.int(0), lastHash: try row.string(1), prunedThroughID: try row.int(2),
            prunedThroughHash: try row.string(3), mac: try row.string(4))
    }

    /// Reads and locks the head inside a write transaction, creating it on first use, and
    /// refuses one whose MAC fails, so a tampered head is never sealed again under the key.
    static func lockForWriting(
        _ connection: any DatabaseConnection, hasher: AuditChainHasher
    ) throws -> AuditChainHead {
        if let head = try load(from: connection, locking: true) {
            guard head.isAuthentic(hasher: hasher) else { throw tampered }
            return head
        }
        guard try connection.queryOne("SELECT id FROM audit_events LIMIT 1") == nil else {
            throw AuditError(.headTampered, message: "the audit_chain row is missing while audit entries exist")
        }
        let empty = AuditChainHead.empty(hasher: hasher)
        // Another instance may create the row at the same moment; the loser's insert does nothing
        // and it then reads (and waits for) the winner's row.
        try connection.execute(
            "INSERT INTO audit_chain (id, \(columns)) VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            empty.values)
        guard let head = try load(from: connection, locking: true), head.isAuthentic(hasher: hasher) else {
            throw tampered
        }
        return head
    }

    /// Writes the head's values and MAC back.
    func save(to connection: any DatabaseConnection) throws(DatabaseError) {
        try connection.execute(
            """
            UPDATE audit_chain SET last_id = $1, last_hash = $2, pruned_through_id = $3, \
            pruned_through_hash = $4, mac = $5 WHERE id = 1
            """,
            values)
    }

    private var values: [DatabaseValue] {
        [.integer(lastID), .text(lastHash), .integer(prunedThroughID), .text(prunedThroughHash), .text(mac)]
    }

    private static let tampered = AuditError(
        .headTampered,
        message: "the audit_chain row fails its MAC; it was edited or SYNCLINE_AUDIT_KEY changed")
}

/// The precision audit times are kept at: milliseconds, which both stores hold exactly.
enum AuditTime {
    /// The times RFC 3339 can write, years 1 to 9999, in milliseconds since 1970.
    static let range: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// `date` cut to whole milliseconds since 1970, after rounding to the microsecond the way
    /// the stores do, so a date read back from either store maps to the same number.
    ///
    /// A date outside ``range`` (a clock far off) becomes the nearest end of it: the event is
    /// still recorded, at a time every store, reader and verifier can write and read back.
    static func milliseconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return seconds < 0 ? range.lowerBound : range.upperBound }
        let microseconds = (seconds * 1_000_000).rounded()
        guard microseconds >= Double(range.lowerBound) * 1000 else { return range.lowerBound }
        guard microseconds <= Double(range.upperBound) * 1000 else { return range.upperBound }
        let whole = Int64(microseconds)
        return whole >= 0 ? whole / 1000 : (whole - 999) / 1000
    }

    /// The milliseconds of a stored time, or nil when it is not on a whole millisecond (it was
    /// not written by the audit log).
    static func storedMilliseconds(_ date: Date) -> Int64? {
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let milliseconds = (microseconds / 1000).rounded()
        guard milliseconds * 1000 == microseconds else { return nil }
        return Int64(milliseconds)
    }

    /// The date at `milliseconds` since 1970.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// RFC 3339 text in UTC with exactly three fractional digits: `2026-12-04T05:01:02.345Z`.
    static func text(milliseconds: Int64) -> String {
        rfc3339(milliseconds: milliseconds, fractionalDigits: 3)
    }

    /// The text SQLite keeps a timestamp as: six fractional digits, like a bound `.timestamp`.
    ///
    /// It matches the storage layer's form byte for byte, so range filters compare stored and
    /// bound times alike; formatting from the milliseconds skips the storage layer's rounding of
    /// a `Date` on the write path.
    static func sqliteText(milliseconds: Int64) -> String {
        rfc3339(milliseconds: milliseconds, fractionalDigits: 6)
    }

    /// Formats with three or more fractional digits, the milliseconds followed by zeros.
    private static func rfc3339(milliseconds: Int64, fractionalDigits: Int) -> String {
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        var scale: Int64 = 1
        for _ in 3..<fractionalDigits { scale *= 10 }
        return Timestamp.rfc3339(
            seconds: (milliseconds - fraction) / 1000, fraction: fraction * scale, fractionalDigits: fractionalDigits)
    }
}

/// The details object as stored: compact JSON with keys in ascending order, so the same details
/// always give the same text and hash.
enum AuditDetails {
    /// The stored text of `details`.
    ///
    /// Names and values of printable ASCII without quotes or backslashes, the usual case, are
    /// copied straight into a string of the exact length; anything else goes through `JSONWriter`,
    /// which escapes it. Both give the same text for plain members.
    static func encode(_ details: [String: String]) -> String {
        guard !details.isEmpty else { return "{}" }
        let members = details.sorted { $0.key < $1.key }
        var length = 1
        for (name, value) in members {
            guard isPlain(name), isPlain(value) else { return escaping(members) }
            length += name.utf8.count + value.utf8.count + 6
        }
        return String(unsafeUninitializedCapacity: length) { text in
            var end = put("{", at: 0, in: text)
            for (index, (name, value)) in members.enumerated() {
                if index > 0 { end = put(",", at: end, in: text) }
                end = put(quoted: name, at: end, in: text)
                end = put(":", at: end, in: text)
                end = put(quoted: value, at: end, in: text)
            }
            return put("}", at: end, in: text)
        }
    }

    /// Writes `byte` into `text` at `offset` and returns the offset after it.
    private static func put(_ byte: Unicode.Scalar, at offset: Int, in text: UnsafeMutableBufferPointer<UInt8>) -> Int {
        text[offset] = UInt8(ascii: byte)
        return offset + 1
    }

    /// Writes plain `string` in quotes into `text` at `offset` and returns the offset after it.
    private static func put(quoted string: String, at offset: Int, in text: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let start = put("\"", at: offset, in: text)
        // `isPlain` has read the string in place, so its storage is contiguous.
        let end = string.utf8.withContiguousStorageIfAvailable {
            UnsafeMutableBufferPointer(rebasing: text[start...]).initialize(fromContentsOf: $0) + start
        }
        return put("\"", at: end!, in: text)
    }

    /// Whether JSON takes `text` as it is, read in place: printable ASCII without `"` or `\`.
    private static func isPlain(_ text: String) -> Bool {
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { byte in
                byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
            }
        }
        return plain ?? false
    }

    /// The stored text of members that need escaping, in the order given.
    private static func escaping(_ members: [(key: String, value: String)]) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        for (name, value) in members {
            writer.key(name)
            writer.string(value)
        }
        writer.endObject()
        return writer.text
    }

    /// The details held by stored text, or nil when it is not a JSON object of strings.
    static func decode<Bytes: Collection<UInt8>>(_ text: Bytes) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text))
    }
}
