extension RecordValue {
    /// The value the text of a CSV field stands for, as far as its text alone can tell.
    ///
    /// - Empty text is ``null``.
    /// - `true` and `false`, in any case, are ``bool(_:)``.
    /// - An optional sign and digits without a leading zero (`0` itself aside) that fit 64 bits
    ///   are ``integer(_:)``.
    /// - A decimal number with a fraction, an exponent or both (`2.5`, `-.5`, `1e6`) is
    ///   ``real(_:)``, when finite.
    /// - Anything else is ``text(_:)``, kept exactly: leading zeros mark codes such as postal codes,
    ///   integers too long for 64 bits are identifiers a real would round, and surrounding spaces
    ///   are part of the text.
    public static func inferred(fromCSV text: String) -> RecordValue {
        if let inferred = text.utf8.withContiguousStorageIfAvailable(scalar(fromCSV:)) {
            return inferred ?? .text(text)
        }
        return Array(text.utf8).withUnsafeBufferPointer(scalar(fromCSV:)) ?? .text(text)
    }

    /// The value the bytes of a CSV field stand for, or nil for text; see ``inferred(fromCSV:)``.
    static func scalar(fromCSV bytes: UnsafeBufferPointer<UInt8>) -> RecordValue? {
        guard let first = bytes.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return number(bytes)
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            return matches(bytes, "true") ? .bool(true) : nil
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            return matches(bytes, "false") ? .bool(false) : nil
        default:
            return nil
        }
    }

    /// Whether `bytes` spell `word` (lowercase ASCII letters) in any case.
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let letters = word.utf8Start
        for index in 0..<bytes.count where bytes[index] | 0x20 != letters[index] {
            return false
        }
        return true
    }

    /// An integer or a real when `bytes` are shaped like one, else nil.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> RecordValue? {
        let count = bytes.count
        let hasSign = bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-")
        var index = hasSign ? 1 : 0
        let integerStart = index
        index = digitsEnd(bytes, from: index)
        let integerDigits = index - integerStart
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { return nil }
        if index == count {
            guard integerDigits > 0 else { return nil }
            return integer(bytes, negative: bytes[0] == UInt8(ascii: "-"), digitsFrom: integerStart).map(
                RecordValue.integer)
        }

        var fractionDigits = 0
        if bytes[index] == UInt8(ascii: ".") {
            let fractionStart = index + 1
            index = digitsEnd(bytes, from: fractionStart)
            fractionDigits = index - fractionStart
        }
        guard integerDigits + fractionDigits > 0 else { return nil }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            index = digitsEnd(bytes, from: index)
            guard index > exponentStart else { return nil }
        }
        guard index == count else { return nil }
        if let value = shortDecimal(bytes, integerDigitsFrom: integerStart, fractionDigits: fractionDigits) {
            return .real(value)
        }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return .real(value)
    }

    /// Powers of ten that a `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { value, _ in value * 10 } }

    /// A decimal of at most 15 digits without an exponent, such as most prices; nil for others.
    ///
    /// Its digits and the power of ten are both exact in a `Double`, and one division rounds
    /// correctly, so the result is the one `Double(String)` gives, without its general parser.
    private static func shortDecimal(
        _ bytes: UnsafeBufferPointer<UInt8>, integerDigitsFrom start: Int, fractionDigits: Int
    ) -> Double? {
        guard bytes.count - start <= 16, fractionDigits < exactPowersOfTen.count else { return nil }
        var digits: Int64 = 0
        for index in start..<bytes.count where bytes[index] != UInt8(ascii: ".") {
            guard bytes[index] &- UInt8(ascii: "0") < 10 else { return nil }
            digits = digits * 10 + Int64(bytes[index] &- UInt8(ascii: "0"))
        }
        let magnitude = Double(digits) / exactPowersOfTen[fractionDigits]
        return bytes[0] == UInt8(ascii: "-") ? -magnitude : magnitude
    }

    private static func digitsEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index
    }

    /// The decimal digits from `start` to the end as an Int64, or nil when they overflow it.
    ///
    /// The value is accumulated below zero, whose range reaches `Int64.min`.
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>, negative: Bool, digitsFrom start: Int) -> Int64? {
        var value: Int64 = 0
        for index in start..<bytes.count {
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowedAgain) = shifted.subtractingReportingOverflow(Int64(bytes[index] &- UInt8(ascii: "0")))
            guard !overflowed, !overflowedAgain else { return nil }
            value = next
        }
        if negative { return value }
        let (positive, overflowed) = Int64(0).subtractingReportingOverflow(value)
        return overflowed ? nil : positive
    }
}
