/// Writes JSON text straight into a byte buffer.
///
/// Hot output paths (record pages, exports, log lines) use this instead of `JSONEncoder`: it never
/// builds an intermediate tree, and commas between members and elements are placed automatically.
public struct JSONWriter: Sendable {
    /// The UTF-8 JSON written so far.
    public private(set) var bytes: [UInt8] = []
    /// How many containers are open; at most 64, which no Syncline document comes near.
    private var depth = 0
    /// Bit `n` is set once the container at depth `n + 1` has a member, so the next needs a comma.
    private var hasMembers: UInt64 = 0
    private var afterKey = false

    /// Creates an empty writer with room for `capacity` bytes before the buffer has to grow.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The document as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Opens an object; members follow as `key(_:)` and value pairs until `endObject()`.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        open()
    }

    /// Closes the innermost open object.
    public mutating func endObject() {
        depth -= 1
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array; each following value is an element until `endArray()`.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        open()
    }

    /// Closes the innermost open array.
    public mutating func endArray() {
        depth -= 1
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an object member's name; the next call writes its value.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a string value, escaping quotes, backslashes and control characters.
    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
    }

    /// Writes a string given as UTF-8 bytes; bytes that are not valid UTF-8 become U+FFFD, so the
    /// output stays valid JSON whatever the source held.
    public mutating func string(utf8: UnsafeRawBufferPointer) {
        separate()
        if utf8.allSatisfy({ $0 < 0x80 }) {
            appendQuoted(utf8)
        } else {
            appendQuoted(String(decoding: utf8, as: UTF8.self))
        }
    }

    /// Writes an integer as decimal digits without going through `String`.
    public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // room for the 20 digits of any Int64
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[index...])
        }
    }

    /// Writes a platform-width integer.
    public mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    /// Writes a finite number; JSON has no NaN or infinity, so those become `null`.
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite {
            bytes.append(contentsOf: value.description.utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes a `null` value.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Inserts already-encoded JSON as one value.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << (depth - 1)
        if hasMembers & bit != 0 { bytes.append(UInt8(ascii: ",")) }
        hasMembers |= bit
    }

    private mutating func open() {
        precondition(depth < 64, "JSON nested deeper than 64 levels")
        hasMembers &= ~(1 << depth)
        depth += 1
    }

    /// Appends `value` in quotes, reading a native string's bytes in place.
    private mutating func appendQuoted(_ value: String) {
        let done = value.utf8.withContiguousStorageIfAvailable { utf8 in
            appendQuoted(UnsafeRawBufferPointer(utf8))
            return true
        }
        guard done == nil else { return }
        var copy = value
        copy.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0)) }
    }

    /// Appends UTF-8 `utf8` in quotes, copying runs of bytes that need no escape in one go.
    private mutating func appendQuoted(_ utf8: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
            if runStart < index {
                appendBytes(UnsafeRawBufferPointer(rebasing: utf8[runStart..<index]))
            }
            appendEscape(for: byte)
            runStart = index + 1
        }
        if runStart < utf8.count {
            appendBytes(UnsafeRawBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies `raw` with one `memcpy`, which the generic append of a raw buffer does not do.
    private mutating func appendBytes(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw.assumingMemoryBound(to: UInt8.self))
    }

    private mutating func appendEscape(for byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        default:
            bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
            bytes.append(JSONWriter.hexDigits[Int(byte >> 4)])
            bytes.append(JSONWriter.hexDigits[Int(byte & 0x0F)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
