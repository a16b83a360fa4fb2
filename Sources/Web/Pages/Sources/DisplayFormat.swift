import Core
import Foundation

/// How pages write numbers and times for people: digits grouped in thousands, times in UTC, and
/// "5 minutes ago" beside the exact time.
enum DisplayFormat {
    /// `1234567` as `1,234,567`.
    static func integer(_ value: Int64) -> String {
        grouped(String(value.magnitude), negative: value < 0)
    }

    /// A real number with its integer digits grouped, as short as it reads back exactly:
    /// `1,234.5`, `80`; very large and very small numbers keep their exponent.
    static func real(_ value: Double) -> String {
        var text = value.description
        guard value.isFinite, !text.contains("e") else { return text }
        if text.hasSuffix(".0") { text.removeLast(2) }
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? "." + parts[1] : ""
        return grouped(String(parts[0]), negative: negative) + fraction
    }

    private static func grouped(_ digits: String, negative: Bool) -> String {
        var text = negative ? "-" : ""
        text.reserveCapacity(digits.count + digits.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// `date` in UTC to the second: `2026-01-05 10:00:00 UTC`.
    static func utc(_ date: Date) -> String {
        String(Timestamp.rfc3339(date).replacingOccurrences(of: "T", with: " ").dropLast()) + " UTC"
    }

    /// How far `date` is from `now` in words: `just now`, `5 minutes ago`, `in 2 hours`.
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        let magnitude = abs(seconds)
        guard magnitude >= 45 else { return seconds >= 0 ? "just now" : "in a moment" }
        let phrase: String
        if magnitude < 3_570 {
            phrase = count(max(1, Int((magnitude / 60).rounded())), "minute")
        } else if magnitude < 84_600 {
            phrase = count(Int((magnitude / 3_600).rounded()), "hour")
        } else if magnitude < 30 * 86_400 {
            phrase = count(Int((magnitude / 86_400).rounded()), "day")
        } else if magnitude < 365 * 86_400 {
            phrase = count(max(1, Int((magnitude / (30.44 * 86_400)).rounded())), "month")
        } else {
            phrase = count(Int((magnitude / (365.25 * 86_400)).rounded()), "year")
        }
        return seconds >= 0 ? phrase + " ago" : "in " + phrase
    }

    /// `count` and `noun`, plural unless the count is one: `1 minute`, `1,250 records`.
    static func count<Number: BinaryInteger>(_ count: Number, _ noun: String) -> String {
        "\(integer(Int64(count))) \(noun)\(count == 1 ? "" : "s")"
    }

    /// A `<time>` element that says how long ago (or how soon) `date` is, with the exact UTC time
    /// in its `datetime` and its tooltip.
    static func time(_ date: Date, now: Date) -> HTML {
        "<time datetime=\"\(Timestamp.rfc3339(date))\" title=\"\(utc(date))\">\(relative(date, now: now))</time>"
    }

    /// A `<time>` element showing `date` in UTC.
    static func exactTime(_ date: Date) -> HTML {
        "<time datetime=\"\(Timestamp.rfc3339(date))\">\(utc(date))</time>"
    }

    /// A span of time in the largest units that matter: `0.4 s`, `12 s`, `3 min 5 s`, `2 h 10 min`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1f s", max(0, seconds)) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3_600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3_600) h \(whole % 3_600 / 60) min"
    }
}
