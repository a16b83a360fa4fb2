/// Writes JSON text straight into a byte buffer.
///
/// Hot output paths (record pages, exports, log lines) use this instead of `JSONEncoder`: it never
/// builds an intermediate tree, and commas between members and elements are placed automatically.
/// Each value reserves room once and is written through a pointer, so it costs one capacity check
/// rather than one per byte.
public struct JSONWriter: Sendable {
    /// Where the text goes; copied before a write when another writer value shares it.
    private var buffer: JSONBuffer
    /// How many containers are open; at most 64, which no Syncline document comes near.
    private var depth = 0
    /// Bit `n` is set once the container at depth `n + 1` has a member, so the next needs a comma.
    private var hasMembers: UInt64 = 0
    private var afterKey = false

    /// Creates an empty writer with room for `capacity` bytes before the buffer has to grow.
    public init(capacity: Int = 256) {
        buffer = JSONBuffer(capacity: capacity)
    }

    /// The UTF-8 JSON written so far.
    public var bytes: [UInt8] {
        let written = buffer.written
        return [UInt8](unsafeUninitializedCapacity: written.count) { target, count in
            if let source = written.baseAddress { target.baseAddress?.initialize(from: source, count: written.count) }
            count = written.count
        }
    }

    /// The document as text.
    public var text: String { String(decoding: buffer.written, as: UTF8.self) }

    /// Opens an object; members follow as `key(_:)` and value pairs until `endObject()`.
    public mutating func beginObject() {
        appendSeparated(UInt8(ascii: "{"))
        open()
    }

    /// Closes the innermost open object.
    public mutating func endObject() {
        depth -= 1
        appendByte(UInt8(ascii: "}"))
    }

    /// Opens an array; each following value is an element until `endArray()`.
    public mutating func beginArray() {
        appendSeparated(UInt8(ascii: "["))
        open()
    }

    /// Closes the innermost open array.
    public mutating func endArray() {
        depth -= 1
        appendByte(UInt8(ascii: "]"))
    }

    /// Writes an object member's name; the next call writes its value.
    public mutating func key(_ name: String) {
        appendQuoted(name)
        appendByte(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes an object member's name encoded beforehand, for names written over and over.
    public mutating func key(_ name: JSONKey) {
        let comma = separate()
        afterKey = true
        if let long = name.long { return long.withUnsafeBytes { append(comma: comma, $0) } }
        // Both words are stored whole; the bytes past `count` are not committed.
        var target = reserve(17)
        if comma {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        UnsafeMutableRawPointer(target).storeBytes(of: name.words.0, as: UInt64.self)
        UnsafeMutableRawPointer(target + 8).storeBytes(of: name.words.1, as: UInt64.self)
        buffer.commit(upTo: target + name.count)
    }

    /// Writes a string value, escaping quotes, backslashes and control characters.
    public mutating func string(_ value: String) {
        appendQuoted(value)
    }

    /// Writes a string given as UTF-8 bytes; bytes that are not valid UTF-8 become U+FFFD, so the
    /// output stays valid JSON whatever the source held.
    public mutating func string(utf8: UnsafeRawBufferPointer) {
        if JSONText.isASCII(utf8) || JSONText.isValidUTF8(utf8) {
            appendQuoted(utf8)
        } else {
            appendQuoted(String(decoding: utf8, as: UTF8.self))
        }
    }

    /// Writes an integer as decimal digits without going through `String`.
    public mutating func integer(_ value: Int64) {
        let comma = separate()
        var digitCount = 1
        var rest = value.magnitude / 10
        while rest > 0 {
            digitCount += 1
            rest /= 10
        }
        // Room for a comma, a sign and the 20 digits of any Int64.
        var target = reserve(22)
        if comma {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        if value < 0 {
            target.pointee = UInt8(ascii: "-")
            target += 1
        }
        var magnitude = value.magnitude
        var index = digitCount
        repeat {
            index -= 1
            target[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        buffer.commit(upTo: target + digitCount)
    }

    /// Writes a platform-width integer.
    public mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    /// Writes a finite number; JSON has no NaN or infinity, so those become `null`.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        guard let decimal = JSONText.shortDecimal(value) else { return appendLiteral(value.description) }
        // `description` writes at least one digit on each side of the point: 5 is "5.0".
        if decimal.fractionDigits == 0 {
            appendDecimal(units: decimal.units * 10, fractionDigits: 1, negative: value < 0)
        } else {
            appendDecimal(units: decimal.units, fractionDigits: decimal.fractionDigits, negative: value < 0)
        }
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        appendLiteral(value ? "true" : "false")
    }

    /// Writes a `null` value.
    public mutating func null() {
        appendLiteral("null")
    }

    /// Inserts already-encoded JSON as one value.
    public mutating func raw(_ json: [UInt8]) {
        let comma = separate()
        json.withUnsafeBytes { append(comma: comma, $0) }
    }

    /// Records that a value is about to be written; true when a comma must precede it.
    private mutating func separate() -> Bool {
        if afterKey {
            afterKey = false
            return false
        }
        guard depth > 0 else { return false }
        let bit: UInt64 = 1 << (depth - 1)
        defer { hasMembers |= bit }
        return hasMembers & bit != 0
    }

    private mutating func open() {
        precondition(depth < 64, "JSON nested deeper than 64 levels")
        hasMembers &= ~(1 << depth)
        depth += 1
    }

    /// Room for `count` more bytes, after making the buffer this writer's own.
    @inline(__always)
    private mutating func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
        return buffer.reserve(count)
    }

    private mutating func appendByte(_ byte: UInt8) {
        let target = reserve(1)
        target.pointee = byte
        buffer.commit(upTo: target + 1)
    }

    private mutating func appendSeparated(_ byte: UInt8) {
        let comma = separate()
        var target = reserve(2)
        if comma {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        target.pointee = byte
        buffer.commit(upTo: target + 1)
    }

    /// Appends `units / 10^fractionDigits` (`fractionDigits` ≥ 1) as decimal text, as one value.
    private mutating func appendDecimal(units: UInt64, fractionDigits: Int, negative: Bool) {
        let comma = separate()
        // A comma, a sign, a point and at most 18 digits (units stay below 2^53 · 10).
        var target = reserve(22)
        if comma {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        if negative {
            target.pointee = UInt8(ascii: "-")
            target += 1
        }
        var units = units
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let count = withUnsafeMutableBytes(of: &scratch) { digits in
            // Digits from the last: the fraction, the point once it is complete, then the integer
            // part, which is "0" when the number is below 1.
            var index = digits.count
            var fractionLeft = fractionDigits
            repeat {
                if fractionLeft == 0 {
                    index -= 1
                    digits[index] = UInt8(ascii: ".")
                }
                fractionLeft -= 1
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: units % 10)
                units /= 10
            } while units > 0 || fractionLeft >= 0
            UnsafeMutableRawPointer(target).copyMemory(
                from: digits.baseAddress! + index, byteCount: digits.count - index)
            return digits.count - index
        }
        buffer.commit(upTo: target + count)
    }

    /// Appends text that needs no escaping, such as a number's digits, as one value.
    private mutating func appendLiteral(_ literal: String) {
        let comma = separate()
        var literal = literal
        literal.withUTF8 { append(comma: comma, UnsafeRawBufferPointer($0)) }
    }

    /// Appends `value` in quotes as one value, reading a native string's bytes in place.
    private mutating func appendQuoted(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            appendQuoted(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Appends `raw` as one value, after a comma when `comma` is set, with one `memcpy`.
    private mutating func append(comma: Bool, _ raw: UnsafeRawBufferPointer) {
        var target = reserve(raw.count + 1)
        if comma {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        if let source = raw.baseAddress {
            target.update(from: source.assumingMemoryBound(to: UInt8.self), count: raw.count)
        }
        buffer.commit(upTo: target + raw.count)
    }

    /// Appends valid UTF-8 `utf8` in quotes as one value, escaping what JSON requires.
    ///
    /// Words of eight bytes that need no escape are copied whole; from the first word that does
    /// (or the last few bytes), the rest goes byte by byte with room for every byte to grow.
    private mutating func appendQuoted(_ utf8: UnsafeRawBufferPointer) {
        let comma = separate()
        var target = reserve(utf8.count + 2)
        if comma {
            target.pointee = UInt8(ascii: ",")
            target += 1
        }
        target.pointee = UInt8(ascii: "\"")
        target += 1
        var offset = 0
        if let source = utf8.baseAddress {
            while offset + 8 <= utf8.count {
                let word = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                guard !JSONText.needsEscape(word) else { break }
                UnsafeMutableRawPointer(target).storeBytes(of: word, as: UInt64.self)
                target += 8
                offset += 8
            }
        }
        buffer.commit(upTo: target)
        // Up to six bytes (`\u001f`) for each byte left, and the closing quote.
        target = buffer.reserve(6 * (utf8.count - offset) + 1)
        for index in offset..<utf8.count {
            target += JSONText.write(utf8[index], at: target)
        }
        target.pointee = UInt8(ascii: "\"")
        buffer.commit(upTo: target + 1)
    }
}

/// The growable bytes behind a `JSONWriter`.
///
/// `@unchecked Sendable`: a writer changes its buffer only while it holds the sole reference
/// (`isKnownUniquelyReferenced`, else it copies first), so a buffer that two values or threads can
/// see is never written again.
final class JSONBuffer: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written so far, valid until the next write.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func copy() -> JSONBuffer {
        let copy = JSONBuffer(capacity: capacity)
        copy.base.initialize(from: base, count: count)
        copy.count = count
        return copy
    }

    /// Makes room for `extra` more bytes and returns where they go.
    @inline(__always)
    func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if count + extra > capacity { grow(toHold: count + extra) }
        return base + count
    }

    private func grow(toHold required: Int) {
        var grown = capacity * 2
        while grown < required { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.initialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = grown
    }

    /// Marks the bytes up to `end`, which lies within the room last reserved, as written.
    func commit(upTo end: UnsafeMutablePointer<UInt8>) {
        count = end - base
    }
}

/// An object member name encoded once, quotes and colon included, for writing it many times
/// (the column names of every row of a page).
///
/// An encoding of up to 16 bytes, as most column names have, is held in two words and written
/// with two stores; copying such a key touches no reference count.
public struct JSONKey: Sendable {
    /// The encoding when it fits in 16 bytes, zero-padded.
    let words: (UInt64, UInt64)
    /// The encoding's length in bytes.
    let count: Int
    /// The encoding when it is longer than 16 bytes.
    let long: [UInt8]?

    /// Encodes `name` as a member name.
    public init(_ name: String) {
        var writer = JSONWriter(capacity: name.utf8.count + 3)
        writer.string(name)
        let encoded = writer.bytes + [UInt8(ascii: ":")]
        var words: (UInt64, UInt64) = (0, 0)
        if encoded.count <= MemoryLayout.size(ofValue: words) {
            withUnsafeMutableBytes(of: &words) { $0.copyBytes(from: encoded) }
            long = nil
        } else {
            long = encoded
        }
        self.words = words
        count = encoded.count
    }
}
