import Foundation

extension TimeBucket {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The start of the bucket holding `date`, in UTC; weeks start on Monday.
    func start(of date: Date) -> Date {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        switch self {
        case .hour:
            return Date(timeIntervalSince1970: Self.floor(seconds, 3600))
        case .day:
            return Date(timeIntervalSince1970: Self.floor(seconds, 86_400))
        case .week:
            let days = Self.floor(seconds, 86_400) / 86_400
            // 1 January 1970 was a Thursday, three days after a Monday.
            let sinceMonday = (days + 3).truncatingRemainder(dividingBy: 7)
            let monday = days - (sinceMonday < 0 ? sinceMonday + 7 : sinceMonday)
            return Date(timeIntervalSince1970: monday * 86_400)
        case .month:
            let parts = Self.utc.dateComponents([.year, .month], from: date)
            return Self.utc.date(from: parts)!
        }
    }

    /// The start of the bucket `count` buckets after (or before, when negative) the one starting at `start`.
    func advance(_ start: Date, by count: Int) -> Date {
        switch self {
        case .hour: start.addingTimeInterval(Double(count) * 3600)
        case .day: start.addingTimeInterval(Double(count) * 86_400)
        case .week: start.addingTimeInterval(Double(count) * 7 * 86_400)
        case .month: Self.utc.date(byAdding: .month, value: count, to: start)!
        }
    }

    private static func floor(_ seconds: Double, _ unit: Double) -> Double {
        (seconds / unit).rounded(.down) * unit
    }
}
