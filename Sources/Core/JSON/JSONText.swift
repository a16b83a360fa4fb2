/// Byte-level helpers for `JSONWriter`: finding the bytes a JSON string must escape, checking
/// UTF-8, and writing one byte escaped.
enum JSONText {
    /// What a string's bytes need: how many must be escaped, and whether all are ASCII.
    struct Scan {
        var escapes = 0
        var isASCII = true
    }

    /// Counts the bytes to escape (`"`, `\`, control characters, DEL) and notes any non-ASCII byte.
    ///
    /// Eight bytes are tested at once with the usual bit tricks: for a word `x`,
    /// `(x - 0x01…01 * n) & ~x & 0x80…80` is non-zero exactly when some byte is below `n` (for
    /// `n` ≤ 0x80), and testing `x ^ (0x01…01 * c)` for a byte below 1 finds a byte equal to `c`.
    /// Only words with a hit are looked at byte by byte, and text rarely has any.
    static func scan(_ utf8: UnsafeRawBufferPointer) -> Scan {
        var scan = Scan()
        guard let base = utf8.baseAddress else { return scan }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var offset = 0
        while offset + 8 <= utf8.count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let control = (word &- ones &* 0x20) & ~word
            let quote = ((word ^ (ones &* 0x22)) &- ones) & ~(word ^ (ones &* 0x22))
            let backslash = ((word ^ (ones &* 0x5C)) &- ones) & ~(word ^ (ones &* 0x5C))
            let delete = ((word ^ (ones &* 0x7F)) &- ones) & ~(word ^ (ones &* 0x7F))
            if (control | quote | backslash | delete | word) & highs != 0 {
                for index in offset..<offset + 8 { note(utf8[index], in: &scan) }
            }
            offset += 8
        }
        for index in offset..<utf8.count { note(utf8[index], in: &scan) }
        return scan
    }

    private static func note(_ byte: UInt8, in scan: inout Scan) {
        if needsEscape(byte) { scan.escapes += 1 }
        if byte >= 0x80 { scan.isASCII = false }
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
