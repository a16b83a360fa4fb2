import Sync

/// How a widget shows its result.
public enum WidgetKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// One figure, compared with the previous period when the widget has a time field.
    case number
    /// A series over time buckets.
    case line
    /// Bars per group, the top ones and the rest as "Other".
    case bar
    /// Slices per group, the top ones and the rest as "Other".
    case pie
    /// A pie with a hole.
    case donut
    /// Rows: the top groups, or the top records with chosen columns.
    case table

    /// Whether the kind draws groups and folds those past the limit into an "Other" group.
    public var foldsRestIntoOther: Bool {
        self == .bar || self == .pie || self == .donut
    }
}

/// The function a metric applies to the records of each group, bucket or period.
public enum Aggregate: String, Sendable, Hashable, CaseIterable, Codable {
    /// How many records there are; takes no field.
    case count
    /// The total of a numeric field.
    case sum
    /// The mean of a numeric field.
    case avg
    /// The least value of a numeric field.
    case min
    /// The greatest value of a numeric field.
    case max
}

/// What a widget measures: a count of records, or an aggregate of one numeric field.
public struct Metric: Sendable, Hashable {
    /// The function applied.
    public var aggregate: Aggregate
    /// The integer or real field aggregated; nil for ``Aggregate/count``.
    public var field: String?

    /// Creates a metric.
    public init(_ aggregate: Aggregate, field: String? = nil) {
        self.aggregate = aggregate
        self.field = field
    }

    /// The number of records.
    public static let count = Metric(.count)
}

/// The width of a time bucket; weeks start on Monday and every bucket is cut in UTC.
public enum TimeBucket: String, Sendable, Hashable, CaseIterable, Codable {
    case hour, day, week, month
}

/// The time axis of a line widget, or the comparison periods of a number widget.
public struct TimeAxis: Sendable, Hashable {
    /// The timestamp field records are placed in time by.
    public var field: String
    /// The width of one bucket or period.
    public var bucket: TimeBucket
    /// A line shows the latest `last` buckets up to the current one, and a number compares the
    /// latest `last` whole buckets with the `last` before them; nil shows every bucket with
    /// records, or for a number compares one bucket with the one before.
    public var last: Int?

    /// Creates a time axis.
    public init(field: String, bucket: TimeBucket, last: Int? = nil) {
        self.field = field
        self.bucket = bucket
        self.last = last
    }
}

/// The order of a widget's groups or records.
public struct WidgetSort: Sendable, Hashable {
    /// What rows are ordered by.
    public enum Key: Sendable, Hashable {
        /// The metric's value, ties broken by label.
        case value
        /// The group's label.
        case label
        /// A field of the records, for tables of records.
        case field(String)
    }

    /// What rows are ordered by.
    public var key: Key
    /// Whether the order runs from high to low.
    public var descending: Bool

    /// Creates an order.
    public init(_ key: Key, descending: Bool) {
        self.key = key
        self.descending = descending
    }
}

/// One chart, figure or table of a dashboard, and the query over one source's records it shows.
///
/// Which members apply depends on ``kind``; ``DashboardDefinition/init(json:)`` accepts only the
/// combinations that make sense and docs/dashboards.md lists them.
public struct Widget: Sendable, Hashable {
    /// The id, stable across edits of the dashboard, unique within it.
    public var id: String
    /// The title shown above the widget.
    public var title: String
    /// How the result is shown.
    public var kind: WidgetKind
    /// The source whose records are queried.
    public var sourceID: Int64
    /// What is measured; ``Metric/count`` for tables of records.
    public var metric: Metric
    /// The field whose values make the groups of a bar, pie, donut or grouped table.
    public var groupBy: String?
    /// The time axis of a line, or a number's comparison periods.
    public var time: TimeAxis?
    /// Conditions every record counted must meet, as in the records API.
    public var filters: [RecordFilter]
    /// The order of groups or records; nil for numbers and lines.
    public var sort: WidgetSort?
    /// How many groups or records are shown; nil for numbers and lines.
    public var limit: Int?
    /// The fields a table of records shows, in order; empty for every other widget.
    public var columns: [String]

    /// Creates a widget.
    public init(
        id: String, title: String, kind: WidgetKind, sourceID: Int64, metric: Metric = .count, groupBy: String? = nil,
        time: TimeAxis? = nil, filters: [RecordFilter] = [], sort: WidgetSort? = nil, limit: Int? = nil,
        columns: [String] = []
    ) {
        self.id = id
        self.title = title
        self.kind = kind
        self.sourceID = sourceID
        self.metric = metric
        self.groupBy = groupBy
        self.time = time
        self.filters = filters
        self.sort = sort
        self.limit = limit
        self.columns = columns
    }

    /// Whether the widget is a table of records rather than of groups.
    public var listsRecords: Bool {
        kind == .table && groupBy == nil
    }
}
