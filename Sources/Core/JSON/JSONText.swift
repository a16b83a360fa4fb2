/// Byte-level helpers for `JSONWriter`: finding the bytes a JSON string must escape, checking
/// ASCII and UTF-8, writing one byte escaped, and finding a number's short decimal text.
enum JSONText {
    /// Whether every byte is ASCII, tested eight bytes at a time.
    static func isASCII(_ utf8: UnsafeRawBufferPointer) -> Bool {
        guard let base = utf8.baseAddress else { return true }
        var highBits: UInt64 = 0
        var offset = 0
        while offset + 8 <= utf8.count {
            highBits |= base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        for index in offset..<utf8.count {
            highBits |= UInt64(utf8[index])
        }
        return highBits & highs == 0
    }

    /// Whether any of the eight bytes of `word` must be escaped (`"`, `\`, control characters, DEL).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let hits =
            bytes(of: word, below: 0x20) | bytes(of: word, equalTo: 0x22)
            | bytes(of: word, equalTo: 0x5C) | bytes(of: word, equalTo: 0x7F)
        return hits != 0
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080
    private static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The high bit of each byte of `word` below `limit` (at most 0x80), exactly: adding
    /// `0x80 - limit` to the low seven bits carries into the high bit only for bytes at or above it.
    @inline(__always)
    private static func bytes(of word: UInt64, below limit: UInt8) -> UInt64 {
        ~(((word & lows) &+ ones &* UInt64(0x80 - limit)) | word) & highs
    }

    /// The high bit of each byte of `word` equal to `byte`, exactly.
    @inline(__always)
    private static func bytes(of word: UInt64, equalTo byte: UInt8) -> UInt64 {
        bytes(of: word ^ (ones &* UInt64(byte)), below: 1)
    }

    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    /// Writes `byte` at `target`, escaped when JSON needs it, and returns how many bytes it took.
    static func write(_ byte: UInt8, at target: UnsafeMutablePointer<UInt8>) -> Int {
        guard needsEscape(byte) else {
            target[0] = byte
            return 1
        }
        target[0] = UInt8(ascii: "\\")
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            target[1] = byte
        case 0x0A:
            target[1] = UInt8(ascii: "n")
        case 0x0D:
            target[1] = UInt8(ascii: "r")
        case 0x09:
            target[1] = UInt8(ascii: "t")
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            target[1] = UInt8(ascii: "u")
            target[2] = UInt8(ascii: "0")
            target[3] = UInt8(ascii: "0")
            target[4] = hexDigits.utf8Start[Int(byte >> 4)]
            target[5] = hexDigits.utf8Start[Int(byte & 0x0F)]
            return 6
        }
        return 2
    }

    /// A number as a decimal with few fraction digits, `units / 10^fractionDigits`, when that is
    /// exactly the text `Double.description` writes; nil when the description is needed.
    ///
    /// Tried for magnitudes from 0.001 up to 10^15, which `description` writes without an exponent,
    /// and up to six fraction digits. A decimal with `k` fraction digits reads back as `value` when
    /// dividing its digits by 10^k, both exact, rounds to `value`. While doubles near `value` are
    /// less than a quarter of 10^-k apart, at most one such decimal exists, and the nearest
    /// integer to `value · 10^k` finds it; the smallest `k` that works is then the shortest text
    /// that reads back, which is what `description` writes.
    static func shortDecimal(_ value: Double) -> (units: UInt64, fractionDigits: Int)? {
        let magnitude = value.magnitude
        guard magnitude >= 1e-3, magnitude < 1e15 else { return nil }
        var scale = 1.0
        for fractionDigits in 0...6 {
            guard magnitude.ulp * scale <= 0.25 else { return nil }
            let units = (magnitude * scale).rounded()
            guard units < 0x1p53 else { return nil }
            if units / scale == magnitude { return (UInt64(units), fractionDigits) }
            scale *= 10
        }
        return nil
    }

    /// Whether `utf8` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
    /// above U+10FFFF, no truncated sequence.
    static func isValidUTF8(_ utf8: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = utf8.count
        while index < count {
            let lead = utf8[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The sequence length, and the range the first continuation byte must fall in.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, low) = (3, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, high) = (3, 0x9F)
            case 0xF0: (length, low) = (4, 0x90)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, high) = (4, 0x8F)
            default: return false
            }
            guard index + length <= count, (low...high).contains(utf8[index + 1]) else { return false }
            for offset in 2..<length where utf8[index + offset] & 0xC0 != 0x80 {
                return false
            }
            index += length
        }
        return true
    }
}
