import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`), read in UTC.
///
/// Each field takes `*`, a number, a range `a-b`, a list `a,b`, and a step `*/n` or `a-b/n`.
/// Day of week runs 0–6 from Sunday (7 is Sunday too). As in Vixie cron, when both day fields are
/// restricted a day matches if either matches.
public struct CronExpression: Sendable, Hashable {
    /// The expression as written.
    public let text: String
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let daysOfMonth: Set<Int>
    private let months: Set<Int>
    private let daysOfWeek: Set<Int>
    private let daysOfMonthRestricted: Bool
    private let daysOfWeekRestricted: Bool

    /// Parses `text`; the error names the field that is wrong.
    public init(_ text: String) throws(SyncError) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5 else {
            throw SyncError(.invalidDefinition, "A cron expression has five fields: minute hour day month weekday.")
        }
        self.text = fields.joined(separator: " ")
        minutes = try Self.parse(fields[0], name: "minute", range: 0...59)
        hours = try Self.parse(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.parse(fields[2], name: "day of month", range: 1...31)
        months = try Self.parse(fields[3], name: "month", range: 1...12)
        daysOfWeek = Set(try Self.parse(fields[4], name: "day of week", range: 0...7).map { $0 % 7 })
        daysOfMonthRestricted = fields[2] != "*"
        daysOfWeekRestricted = fields[4] != "*"
    }

    /// The first whole minute after `date` that matches.
    public func nextMatch(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        var candidate = start
        // Every schedule that can match at all does so within four years (29 February).
        let limit = start.addingTimeInterval(4 * 366 * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.month, .day, .hour, .minute, .weekday], from: candidate)
            guard months.contains(parts.month!) else {
                let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: candidate))!
                candidate = calendar.date(byAdding: .month, value: 1, to: monthStart)!
                continue
            }
            guard matchesDay(dayOfMonth: parts.day!, dayOfWeek: parts.weekday! - 1) else {
                candidate = calendar.startOfDay(for: candidate).addingTimeInterval(86_400)
                continue
            }
            guard hours.contains(parts.hour!) else {
                let hourStart = (candidate.timeIntervalSince1970 / 3600).rounded(.down) * 3600
                candidate = Date(timeIntervalSince1970: hourStart + 3600)
                continue
            }
            if minutes.contains(parts.minute!) { return candidate }
            candidate = candidate.addingTimeInterval(60)
        }
        return limit
    }

    private func matchesDay(dayOfMonth: Int, dayOfWeek: Int) -> Bool {
        let monthDay = daysOfMonth.contains(dayOfMonth)
        let weekDay = daysOfWeek.contains(dayOfWeek)
        if daysOfMonthRestricted && daysOfWeekRestricted { return monthDay || weekDay }
        return monthDay && weekDay
    }

    private static func parse(_ field: Substring, name: String, range: ClosedRange<Int>) throws(SyncError) -> Set<Int> {
        var values: Set<Int> = []
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first else { throw invalid(name, range) }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw invalid(name, range) }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                guard let low = Int(base[..<dash]), let high = Int(base[base.index(after: dash)...]),
                    low <= high, range.contains(low), range.contains(high)
                else { throw invalid(name, range) }
                bounds = low...high
            } else {
                guard let value = Int(base), range.contains(value) else { throw invalid(name, range) }
                bounds = pieces.count == 2 ? value...range.upperBound : value...value
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func invalid(_ name: String, _ range: ClosedRange<Int>) -> SyncError {
        SyncError(
            .invalidDefinition,
            "The cron \(name) field must use *, numbers from \(range.lowerBound) to \(range.upperBound), "
                + "ranges a-b, lists a,b and steps /n.")
    }
}
