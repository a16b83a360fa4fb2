/// A value in a flat JSON object as JWT headers and Syncline's claims use them.
enum JSONScalar: Sendable, Equatable {
    /// A string, escapes resolved.
    case string(String)
    /// An integer without fraction or exponent that fits 64 bits.
    case integer(Int64)
}

/// Why ``StrictJSONObject`` refused its input.
enum StrictJSONError: Error, Equatable {
    /// Not a flat object of strings and integers, or not valid UTF-8.
    case malformed
    /// A key appears twice (compared after escapes are resolved).
    case duplicateKey
}

/// A parser for one flat JSON object whose values are strings or integers, and nothing else.
///
/// It is deliberately narrower than JSON (RFC 8259): nested objects, arrays, `true`, `false`,
/// `null`, fractions and exponents are refused, as are duplicate keys, invalid UTF-8, unpaired
/// surrogate escapes, and any bytes after the closing brace other than white space. Token headers
/// and claims never need more, and every construct left out is one less way for two parsers to
/// read the same bytes differently.
struct StrictJSONObject {
    private let bytes: [UInt8]
    private var position = 0

    /// Parses `bytes` as one flat object.
    static func parse(_ bytes: [UInt8]) throws(StrictJSONError) -> [String: JSONScalar] {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed }
        var parser = StrictJSONObject(bytes: bytes)
        return try parser.object()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func object() throws(StrictJSONError) -> [String: JSONScalar] {
        var members: [String: JSONScalar] = [:]
        skipWhiteSpace()
        try expect(UInt8(ascii: "{"))
        skipWhiteSpace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhiteSpace()
                let key = try string()
                skipWhiteSpace()
                try expect(UInt8(ascii: ":"))
                skipWhiteSpace()
                let value = try scalar()
                guard members.updateValue(value, forKey: key) == nil else { throw .duplicateKey }
                skipWhiteSpace()
                if peek() == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                break
            }
        }
        skipWhiteSpace()
        guard position == bytes.count else { throw .malformed }
        return members
    }

    private mutating func scalar() throws(StrictJSONError) -> JSONScalar {
        guard let byte = peek() else { throw .malformed }
        switch byte {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer())
        default: throw .malformed
        }
    }

    /// `-?(0|[1-9][0-9]*)` within Int64; a following `.`, `e` or `E` is left unread and so refused.
    private mutating func integer() throws(StrictJSONError) -> Int64 {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            position += 1
        }
        let digitCount = position - digitsStart
        guard digitCount > 0, digitCount == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw .malformed }
        guard let value = Int64(String(decoding: bytes[start..<position], as: UTF8.self)) else { throw .malformed }
        return value
    }

    private mutating func string() throws(StrictJSONError) -> String {
        try expect(UInt8(ascii: "\""))
        var scalars = String.UnicodeScalarView()
        var run = position
        while true {
            guard let byte = peek() else { throw .malformed }
            switch byte {
            case UInt8(ascii: "\""):
                scalars.append(contentsOf: String(decoding: bytes[run..<position], as: UTF8.self).unicodeScalars)
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: String(decoding: bytes[run..<position], as: UTF8.self).unicodeScalars)
                position += 1
                scalars.append(try escape())
                run = position
            case 0x00..<0x20:
                throw .malformed
            default:
                position += 1
            }
        }
    }

    private mutating func escape() throws(StrictJSONError) -> Unicode.Scalar {
        guard let byte = peek() else { throw .malformed }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): return try unicodeEscape()
        default: throw .malformed
        }
    }

    /// The scalar of `\uXXXX`, or of a `\uD8xx\uDCxx` surrogate pair; a lone surrogate is refused.
    private mutating func unicodeEscape() throws(StrictJSONError) -> Unicode.Scalar {
        let first = try hexQuad()
        switch first {
        case 0xD800..<0xDC00:
            try expect(UInt8(ascii: "\\"))
            try expect(UInt8(ascii: "u"))
            let second = try hexQuad()
            guard (0xDC00..<0xE000).contains(second) else { throw .malformed }
            let value = 0x10000 + ((first - 0xD800) << 10 | (second - 0xDC00))
            guard let scalar = Unicode.Scalar(value) else { throw .malformed }
            return scalar
        case 0xDC00..<0xE000:
            throw .malformed
        default:
            guard let scalar = Unicode.Scalar(first) else { throw .malformed }
            return scalar
        }
    }

    private mutating func hexQuad() throws(StrictJSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw .malformed }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .malformed
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func expect(_ byte: UInt8) throws(StrictJSONError) {
        guard peek() == byte else { throw .malformed }
        position += 1
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhiteSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }
}
