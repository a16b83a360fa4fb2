import Foundation

/// The span of time one point of a line chart stands for, as a widget's time bucket names it.
///
/// Buckets are UTC: an hour, a day from midnight, seven days, or a calendar month.
public enum TimeBucket: String, Sendable, CaseIterable {
    /// One hour.
    case hour
    /// One day, from midnight UTC.
    case day
    /// Seven days. Weeks start on whatever day the data's first bucket falls on, so weeks that
    /// start on Monday (as PostgreSQL's `date_trunc('week', …)` makes them) and on Sunday both work.
    case week
    /// One calendar month.
    case month

    /// A number that grows by `stride` from one bucket to the next: hours or days since 1970, or
    /// months since year 0.
    func ordinal(of date: Date) -> Int {
        let seconds = CivilTime.seconds(date)
        switch self {
        case .hour:
            return CivilTime.floorDivide(seconds, 3600)
        case .day, .week:
            return CivilTime.floorDivide(seconds, 86_400)
        case .month:
            let time = CivilTime(date)
            return time.year * 12 + time.month - 1
        }
    }

    /// How far `ordinal(of:)` moves from one bucket to the next.
    var stride: Int { self == .week ? 7 : 1 }

    /// The start of the bucket whose ordinal is `ordinal`.
    func start(ofOrdinal ordinal: Int) -> Date {
        switch self {
        case .hour:
            return Date(timeIntervalSince1970: Double(ordinal) * 3600)
        case .day, .week:
            return Date(timeIntervalSince1970: Double(ordinal) * 86_400)
        case .month:
            let year = CivilTime.floorDivide(ordinal, 12)
            let days = CivilTime.days(year: year, month: ordinal - year * 12 + 1, day: 1)
            return Date(timeIntervalSince1970: Double(days) * 86_400)
        }
    }
}
