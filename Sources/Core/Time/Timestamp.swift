import Foundation

/// RFC 3339 timestamps in UTC, the one format Syncline writes and reads.
public enum Timestamp {
    /// The longest text ``write(_:fractionalDigits:to:)`` writes: `2026-12-03T19:40:51.123456Z`.
    public static let longestFixedWidthText = 27

    /// Formats `date` as `2026-12-03T19:40:51.123Z` with the given number of fractional digits (0–6).
    public static func rfc3339(_ date: Date, fractionalDigits: Int = 0) -> String {
        let (seconds, fraction, digits) = split(date, fractionalDigits: fractionalDigits)
        return rfc3339(seconds: seconds, fraction: fraction, fractionalDigits: digits)
    }

    /// Formats `seconds` since 1970 and `fraction`, the digits of the fraction of a second, written
    /// with `fractionalDigits` digits (0–6): `rfc3339(seconds: 0, fraction: 5, fractionalDigits: 3)`
    /// is `1970-01-01T00:00:00.005Z`.
    public static func rfc3339(seconds: Int64, fraction: Int64, fractionalDigits digits: Int) -> String {
        let text = withUnsafeTemporaryAllocation(byteCount: longestFixedWidthText, alignment: 1) { buffer in
            write(seconds: seconds, fraction: fraction, fractionalDigits: digits, to: buffer.baseAddress!).map {
                String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: $0), as: UTF8.self)
            }
        }
        if let text { return text }
        // Years outside 0–9999 have no fixed width.
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        let (year, month, day) = civilDate(daysSince1970: (seconds - secondOfDay) / 86_400)
        let time = String(
            format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day, secondOfDay / 3600,
            secondOfDay / 60 % 60, secondOfDay % 60)
        return time + (digits > 0 ? "." + String(format: "%0\(digits)lld", fraction) : "") + "Z"
    }

    /// Writes `date` as ``rfc3339(_:fractionalDigits:)`` formats it into `target`, which has room
    /// for ``longestFixedWidthText`` bytes, and returns how many it wrote; nil, writing nothing, for
    /// a year outside 0–9999.
    public static func write(_ date: Date, fractionalDigits: Int, to target: UnsafeMutableRawPointer) -> Int? {
        let (seconds, fraction, digits) = split(date, fractionalDigits: fractionalDigits)
        return write(seconds: seconds, fraction: fraction, fractionalDigits: digits, to: target)
    }

    /// Whole seconds, the truncated fraction as digits, and the digit count clamped to 0–6.
    private static func split(_ date: Date, fractionalDigits: Int) -> (Int64, Int64, Int) {
        // Clamped far beyond any calendar year anyone stores, so the conversion cannot trap.
        let interval = min(max(date.timeIntervalSince1970, -1e15), 1e15)
        let whole = interval.rounded(.down)
        let digits = min(max(fractionalDigits, 0), 6)
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        return (Int64(whole), min(Int64((interval - whole) * Double(scale)), scale - 1), digits)
    }

    /// The date comes from the day count by calendar arithmetic and is written digit by digit:
    /// this runs for every timestamp stored or shown.
    private static func write(
        seconds: Int64, fraction: Int64, fractionalDigits digits: Int, to target: UnsafeMutableRawPointer
    ) -> Int? {
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        let (year, month, day) = civilDate(daysSince1970: (seconds - secondOfDay) / 86_400)
        guard (0...9999).contains(year) else { return nil }
        let bytes = target.assumingMemoryBound(to: UInt8.self)
        func put(_ value: Int64, width: Int, at offset: Int, then separator: UInt8) {
            var rest = value
            var position = offset + width - 1
            while position >= offset {
                bytes[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                position -= 1
            }
            bytes[offset + width] = separator
        }
        put(year, width: 4, at: 0, then: UInt8(ascii: "-"))
        put(month, width: 2, at: 5, then: UInt8(ascii: "-"))
        put(day, width: 2, at: 8, then: UInt8(ascii: "T"))
        put(secondOfDay / 3600, width: 2, at: 11, then: UInt8(ascii: ":"))
        put(secondOfDay / 60 % 60, width: 2, at: 14, then: UInt8(ascii: ":"))
        guard digits > 0 else {
            put(secondOfDay % 60, width: 2, at: 17, then: UInt8(ascii: "Z"))
            return 20
        }
        put(secondOfDay % 60, width: 2, at: 17, then: UInt8(ascii: "."))
        put(fraction, width: digits, at: 20, then: UInt8(ascii: "Z"))
        return 21 + digits
    }

    /// Parses an RFC 3339 timestamp with a `Z` or numeric offset and optional fraction.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count >= 20 else { return nil }
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    /// Parses the UTF-8 bytes of an RFC 3339 timestamp, as ``parse(_:)`` does.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == UInt8(ascii: "-"),
            let month = number(5..<7), bytes[7] == UInt8(ascii: "-"),
            let day = number(8..<10), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"),
            let minute = number(14..<16), bytes[16] == UInt8(ascii: ":"),
            let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }

        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, let hours = number(index + 1..<index + 3),
                bytes[index + 3] == UInt8(ascii: ":"), let minutes = number(index + 4..<index + 6)
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }

        // A day past the month's end counts on into the next month, and second 60 into the next
        // minute, as timegm(3) has it.
        let days = daysSince1970(year: Int64(year), month: Int64(month), day: Int64(day))
        let epoch = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return Date(timeIntervalSince1970: Double(epoch) + fraction)
    }

    /// The proleptic Gregorian date of a day count, by the days-from-civil algorithm run backwards
    /// over 400-year eras (each exactly 146,097 days).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468 // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153 // 0 is March
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day count of a proleptic Gregorian date, the inverse of ``civilDate(daysSince1970:)``;
    /// `day` may run past the month's end.
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
