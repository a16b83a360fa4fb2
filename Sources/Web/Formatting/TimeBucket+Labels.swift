import Foundation

extension TimeBucket {
    /// Labels `date` as a time axis does for this bucket, in UTC.
    ///
    /// An hour reads `Jan 5 14:00`, a day or week `Jan 5` (the week by its first day), a month
    /// `Jan 2026`. With `withYear`, as at a year boundary, hours read `Jan 5 2026 14:00` and days and
    /// weeks `Jan 5 2026`; months always show the year.
    public func label(for date: Date, withYear: Bool = false) -> String {
        let time = CivilTime(date)
        let year = String(time.year)
        switch self {
        case .hour:
            let clock = Self.twoDigits(time.hour) + ":" + Self.twoDigits(time.minute)
            return "\(time.monthName) \(time.day) " + (withYear ? "\(year) \(clock)" : clock)
        case .day, .week:
            return "\(time.monthName) \(time.day)" + (withYear ? " \(year)" : "")
        case .month:
            return "\(time.monthName) \(year)"
        }
    }

    /// The words that put a label of this bucket into a sentence: "at Jan 5 14:00", "on Jan 5",
    /// "in the week of Jan 5", "in Jan 2026".
    var preposition: String {
        switch self {
        case .hour: return "at"
        case .day: return "on"
        case .week: return "in the week of"
        case .month: return "in"
        }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
