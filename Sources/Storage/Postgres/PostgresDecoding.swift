import CPostgres
import Foundation

/// Type OIDs of the built-in types Syncline binds or decodes (from `pg_type.dat`).
enum PostgresType {
    static let bool: Oid = 16
    static let bytea: Oid = 17
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let float4: Oid = 700
    static let float8: Oid = 701
    static let timestamp: Oid = 1114
    static let timestamptz: Oid = 1184
    static let numeric: Oid = 1700
    static let json: Oid = 114
    static let jsonb: Oid = 3802
}

/// How a result column's text is turned into a ``DatabaseValue``, chosen once per result.
enum PostgresColumnDecoder {
    case integer, real, bool, timestamp, bytea, text
    /// `json` or `jsonb`: read as text, with the declared type kept for ``RowView/holdsJSON(at:)``.
    case json

    init(type: Oid) {
        switch type {
        case PostgresType.int2, PostgresType.int4, PostgresType.int8: self = .integer
        case PostgresType.float4, PostgresType.float8, PostgresType.numeric: self = .real
        case PostgresType.bool: self = .bool
        case PostgresType.timestamp, PostgresType.timestamptz: self = .timestamp
        case PostgresType.bytea: self = .bytea
        case PostgresType.json, PostgresType.jsonb: self = .json
        default: self = .text
        }
    }

    /// Reads one field in text format; a value outside the Swift type (a timestamp of year
    /// 10000 or `infinity`, an integer wider than 64 bits) is kept as text rather than lost.
    func field(_ field: UnsafePointer<CChar>, length: Int) -> RowView.Field {
        let bytes = UnsafeRawPointer(field).assumingMemoryBound(to: UInt8.self)
        let buffer = UnsafeBufferPointer(start: bytes, count: length)
        switch self {
        case .integer:
            if let number = Self.integer(buffer) { return .integer(number) }
        case .real:
            // libpq ends every field with NUL; `strtod` reads NaN and [-]Infinity too.
            return .real(strtod(field, nil))
        case .bool:
            return .bool(length > 0 && buffer[0] == UInt8(ascii: "t"))
        case .timestamp:
            if let date = Self.timestamp(buffer) { return .timestamp(date) }
        case .bytea:
            if let blob = Self.hexBytea(buffer) { return .blob(blob) }
        case .text, .json:
            break
        }
        return .text(UnsafeRawBufferPointer(buffer))
    }

    private static func integer(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !digits.isEmpty else { return nil }
        let negative = digits[0] == UInt8(ascii: "-")
        let start = negative ? 1 : 0
        guard start < digits.count else { return nil }
        // Accumulating downwards reaches Int64.min, whose magnitude Int64 cannot hold.
        var value: Int64 = 0
        for index in start..<digits.count {
            let digit = digits[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflowA, !overflowB else { return nil }
            value = next
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    /// Reads `\x` followed by pairs of hex digits, the `bytea_output = hex` form.
    private static func hexBytea(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"),
            text.count % 2 == 0
        else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index < text.count {
            guard let high = hexDigit(text[index]), let low = hexDigit(text[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Reads `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]]`, the ISO `DateStyle` output the
    /// connection asks for; without an offset (a `timestamp` column) the time is taken as UTC.
    private static func timestamp(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var reader = DigitReader(text: text)
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2),
            reader.skip("-"), let day = reader.number(2), reader.skip(" "),
            let hour = reader.number(2), reader.skip(":"), let minute = reader.number(2),
            reader.skip(":"), let second = reader.number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }

        var microseconds = 0
        if reader.skip(".") {
            var scale = 100_000
            while let digit = reader.number(1) {
                microseconds += digit * scale
                scale /= 10
            }
        }
        var offset = 0
        if let sign = reader.sign() {
            guard let hours = reader.number(2) else { return nil }
            offset = hours * 3600
            if reader.skip(":") {
                guard let minutes = reader.number(2) else { return nil }
                offset += minutes * 60
            }
            if reader.skip(":") {
                guard let seconds = reader.number(2) else { return nil }
                offset += seconds
            }
            offset *= sign
        }
        guard reader.isAtEnd else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(microseconds) / 1_000_000)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras of
    /// 146,097 days with years starting in March so the leap day falls last.
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads fixed-width decimal fields and separators from the bytes of a field.
private struct DigitReader {
    let text: UnsafeBufferPointer<UInt8>
    var index = 0

    var isAtEnd: Bool { index == text.count }

    mutating func number(_ width: Int) -> Int? {
        guard index + width <= text.count else { return nil }
        var value = 0
        for offset in 0..<width {
            let digit = text[index + offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        index += width
        return value
    }

    mutating func skip(_ separator: Unicode.Scalar) -> Bool {
        guard index < text.count, text[index] == UInt8(ascii: separator) else { return false }
        index += 1
        return true
    }

    /// Consumes `+` or `-` and returns 1 or -1.
    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
