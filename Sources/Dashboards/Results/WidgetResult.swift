import Foundation
import Sync

/// What a widget's query found, in the form its kind is drawn from.
///
/// Values are `Double` whatever the column type; a value is nil where no record had one (the
/// average of an empty bucket, the maximum of a group whose field is always null). Counts and
/// sums of nothing are 0.
public enum WidgetResult: Sendable, Hashable {
    /// A number widget's figure.
    case number(NumberResult)
    /// A line widget's points.
    case series(SeriesResult)
    /// The groups of a bar, pie, donut or grouped table.
    case groups(GroupsResult)
    /// The records of a table of records.
    case table(TableResult)
}

/// A number widget's figure, and with a time field the previous period's figure beside it.
public struct NumberResult: Sendable, Hashable {
    /// The metric over the latest whole period, or over every record without a time field.
    public var value: Double?
    /// The metric over the period before; nil without a time field.
    public var previousValue: Double?
    /// The change from the previous value in percent; nil when either is missing or the previous is 0.
    public var changePercent: Double?
    /// The latest whole period, `start` included and `end` excluded; nil without a time field.
    public var period: DateInterval?
    /// The period before it, of the same length.
    public var previousPeriod: DateInterval?

    /// Creates a figure; the change is worked out from the two values.
    public init(
        value: Double?, previousValue: Double? = nil, period: DateInterval? = nil, previousPeriod: DateInterval? = nil
    ) {
        self.value = value
        self.previousValue = previousValue
        self.period = period
        self.previousPeriod = previousPeriod
        if let value, let previousValue, previousValue != 0 {
            changePercent = (value - previousValue) / abs(previousValue) * 100
        }
    }
}

/// A line widget's points, one per bucket from the first to the last, gaps included.
public struct SeriesResult: Sendable, Hashable {
    /// The width of each bucket.
    public var bucket: TimeBucket
    /// The points in time order.
    public var points: [SeriesPoint]

    /// Creates a series.
    public init(bucket: TimeBucket, points: [SeriesPoint]) {
        self.bucket = bucket
        self.points = points
    }
}

/// One bucket of a series.
public struct SeriesPoint: Sendable, Hashable {
    /// The start of the bucket, in UTC.
    public var time: Date
    /// The metric over the bucket's records: 0 for a count or sum of none, nil for other metrics.
    public var value: Double?

    /// Creates a point.
    public init(time: Date, value: Double?) {
        self.time = time
        self.value = value
    }
}

/// The groups of a widget in its sort order, and for bars, pies and donuts one "Other" group
/// that stands for every group past the limit.
public struct GroupsResult: Sendable, Hashable {
    /// The groups, "Other" last.
    public var rows: [GroupRow]

    /// Creates a list of groups.
    public init(rows: [GroupRow]) {
        self.rows = rows
    }
}

/// One group of a widget.
public struct GroupRow: Sendable, Hashable {
    /// The label of the row that stands for the groups past the limit.
    public static let otherLabel = "Other"

    /// The value of the group-by field as text, nil for records where it is null; ``otherLabel``
    /// for "Other", which ``isOther`` tells apart from a group that has that value.
    public var label: String?
    /// The metric over the group's records.
    public var value: Double?
    /// Whether this row is "Other", the groups past the limit taken together.
    public var isOther: Bool

    /// Creates a group.
    public init(label: String?, value: Double?, isOther: Bool = false) {
        self.label = label
        self.value = value
        self.isOther = isOther
    }
}

/// The top records of a table of records, with the chosen columns.
public struct TableResult: Sendable, Hashable {
    /// The longest text a cell keeps, in characters; longer text is cut and ends with `…`.
    public static let maximumTextLength = 1000

    /// The columns in order.
    public var columns: [RecordColumn]
    /// The records, each with one cell per column.
    public var rows: [[TableCell]]

    /// Creates a table.
    public init(columns: [RecordColumn], rows: [[TableCell]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// One value of a table of records, typed as its column.
public enum TableCell: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case bool(Bool)
    case timestamp(Date)
    /// Text, and JSON text of `json` columns.
    case text(String)
}
