import Core
import Foundation
import Storage
import Sync

/// The one SQL statement that computes a widget's result over its source's record table, and
/// the reading of its rows into that result.
///
/// Compiling checks the widget against the table's current columns: every field it names must
/// exist, a metric other than `count` needs an integer or real field, and a time axis a timestamp
/// field. Identifiers come only from the table's columns and are quoted; every value is bound.
/// The statement reads only records not marked deleted and runs unchanged on SQLite and
/// PostgreSQL: SQLite keeps timestamps as RFC 3339 text in UTC, so its buckets are cut from the
/// text, and PostgreSQL truncates its `timestamptz` values in UTC.
struct WidgetQuery {
    /// The most points a series holds; a longer one keeps its latest buckets.
    static let maximumPoints = 1000

    let sql: String
    let parameters: [DatabaseValue]
    private let widget: Widget
    private let shape: Shape

    /// How the rows of the statement become the result.
    private enum Shape {
        /// One row: the metric over every record.
        case total
        /// One row: the metric over the latest period, then over the one before.
        case comparison(current: DateInterval, previous: DateInterval)
        /// A row per bucket with records: its start and the metric; `range` is the requested
        /// first and last bucket, or nil for those of the records.
        case series(TimeBucket, range: (first: Date, last: Date)?)
        /// A row per group shown, then one for "Other": folded flag, label, value, groups folded.
        case groups(labels: ColumnType)
        /// A row per record with the chosen columns.
        case records([RecordColumn])
    }

    /// Compiles `widget` for `schema`, checking every field it names.
    ///
    /// Times relative to the present (periods, the latest buckets) are counted back from `now`.
    /// Throws an invalid-definition error whose fields are paths within the widget, such as
    /// `metric.field`.
    init(widget: Widget, schema: RecordTableSchema, dialect: SQLDialect, now: Date) throws(DashboardError) {
        var parts = Parts(table: schema.quotedTableName, aggregate: widget.metric.aggregate, dialect: dialect)
        var problems: [String: String] = [:]
        func column(_ field: String, at path: String, types: Set<ColumnType>? = nil, use: String = "") -> RecordColumn?
        {
            guard let column = schema.column(forField: field) else {
                problems[path] = "The source has no field \(field)."
                return nil
            }
            if let types, !types.contains(column.type) {
                problems[path] = "\(field) holds \(column.type.rawValue) values; \(use)."
                return nil
            }
            return column
        }
        func quoted(_ column: RecordColumn) -> String {
            RecordTableSchema.quote(column.name)
        }

        for (index, filter) in widget.filters.enumerated() {
            guard let target = column(filter.field, at: "filters[\(index)].field") else { continue }
            do throws(SyncError) {
                let condition = try filter.condition(on: target, dialect: dialect) { parts.bind($0) }
                parts.conditions.append(condition)
            } catch {
                problems["filters[\(index)]"] = error.message
            }
        }
        let aggregate = widget.metric.aggregate
        switch (aggregate, widget.metric.field) {
        case (.count, nil):
            break
        case (.count, _?):
            problems["metric.field"] = "count takes no field; it counts records."
        case (_, nil):
            problems["metric.field"] = "\(aggregate.rawValue) needs an integer or real field."
        case (_, let field?):
            let use = "\(aggregate.rawValue) needs integer or real"
            parts.measured = column(field, at: "metric.field", types: [.integer, .real], use: use).map(quoted)
        }
        let timed = widget.time.flatMap {
            column($0.field, at: "time.field", types: [.timestamp], use: "time buckets need a timestamp field")
        }
        let grouped = widget.groupBy.flatMap { column($0, at: "groupBy") }
        var sortedBy: String?
        if case .field(let field)? = widget.sort?.key { sortedBy = column(field, at: "sort.field").map(quoted) }
        let shown = widget.columns.enumerated().compactMap { column($1, at: "columns[\($0)]") }
        if widget.kind == .line && widget.time == nil {
            problems["time"] = "A line widget needs a time axis."
        }
        if widget.kind.foldsRestIntoOther && widget.groupBy == nil {
            problems["groupBy"] = "The widget needs a field to group by."
        }
        if widget.kind == .table && widget.groupBy == nil && widget.columns.isEmpty {
            problems["columns"] = "A table needs groupBy or columns."
        }
        guard problems.isEmpty else {
            throw DashboardError(.invalidDefinition, "The widget does not fit its source's records.", fields: problems)
        }

        switch (widget.kind, widget.time, timed, grouped) {
        case (.number, let time?, let timed?, _):
            (sql, shape) = Self.comparison(of: time, column: quoted(timed), now: now, parts: &parts)
        case (.number, _, _, _):
            (sql, shape) = ("SELECT \(parts.metric())" + parts.from(), .total)
        case (.line, let time?, let timed?, _):
            (sql, shape) = Self.series(of: time, column: quoted(timed), now: now, parts: &parts)
        case (_, _, _, let grouped?):
            sql = Self.groups(widget, label: quoted(grouped), parts: &parts)
            shape = .groups(labels: grouped.type)
        default:
            let order = sortedBy.map { [Self.nullsLast($0), $0 + (widget.sort?.descending == true ? " DESC" : "")] }
            let selected = shown.map(quoted).joined(separator: ", ")
            sql =
                "SELECT \(selected)" + parts.from() + " ORDER BY "
                + ((order ?? []) + [RecordTableSchema.quotedPrimaryKey]).joined(separator: ", ")
                + " LIMIT \(parts.bind(.integer(Int64(widget.limit ?? 10))))"
            shape = .records(shown)
        }
        self.widget = widget
        parameters = parts.parameters
    }

    /// The parts of the statement every kind shares: the table, the conditions, the metric, the
    /// values bound so far.
    private struct Parts {
        let table: String
        let aggregate: Aggregate
        let dialect: SQLDialect
        /// The quoted column the metric aggregates; nil for a count.
        var measured: String?
        var conditions = ["\(RecordTableSchema.quotedDeletedAt) IS NULL"]
        var parameters: [DatabaseValue] = []

        init(table: String, aggregate: Aggregate, dialect: SQLDialect) {
            self.table = table
            self.aggregate = aggregate
            self.dialect = dialect
        }

        /// Binds `value` and returns its placeholder.
        mutating func bind(_ value: DatabaseValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }

        /// The metric over the records, or over those meeting `condition`.
        func metric(when condition: String? = nil) -> String {
            guard let measured else { return condition.map { "count(CASE WHEN \($0) THEN 1 END)" } ?? "count(*)" }
            return "\(aggregate.rawValue)(\(condition.map { "CASE WHEN \($0) THEN \(measured) END" } ?? measured))"
        }

        /// `FROM` and `WHERE` with the shared conditions and `extra` ones.
        func from(_ extra: [String] = []) -> String {
            " FROM \(table) WHERE " + (conditions + extra).joined(separator: " AND ")
        }
    }

    /// The metric over the latest `last` whole buckets before the current one, and over as many before them.
    private static func comparison(
        of time: TimeAxis, column: String, now: Date, parts: inout Parts
    ) -> (String, Shape) {
        let current = time.bucket.start(of: now)
        let periods = time.last ?? 1
        let split = time.bucket.advance(current, by: -periods)
        let first = time.bucket.advance(current, by: -2 * periods)
        let start = parts.bind(.timestamp(first))
        let middle = parts.bind(.timestamp(split))
        let end = parts.bind(.timestamp(current))
        let sql =
            "SELECT \(parts.metric(when: "\(column) >= \(middle)")), \(parts.metric(when: "\(column) < \(middle)"))"
            + parts.from(["\(column) >= \(start)", "\(column) < \(end)"])
        return (
            sql,
            .comparison(
                current: DateInterval(start: split, end: current), previous: DateInterval(start: first, end: split))
        )
    }

    /// The metric per bucket with records, over the latest `last` buckets when the axis says so.
    private static func series(of time: TimeAxis, column: String, now: Date, parts: inout Parts) -> (String, Shape) {
        var range: (first: Date, last: Date)?
        var bounds = ["\(column) IS NOT NULL"]
        if let last = time.last {
            let current = time.bucket.start(of: now)
            let first = time.bucket.advance(current, by: 1 - last)
            range = (first, current)
            bounds = [
                "\(column) >= \(parts.bind(.timestamp(first)))",
                "\(column) < \(parts.bind(.timestamp(time.bucket.advance(current, by: 1))))",
            ]
        }
        let bucket = bucketExpression(column, time.bucket, parts.dialect)
        return (
            "SELECT \(bucket), \(parts.metric())" + parts.from(bounds) + " GROUP BY 1 ORDER BY 1",
            .series(time.bucket, range: range)
        )
    }

    /// The top groups in the widget's order and, for kinds that fold the rest, one more row for
    /// "Other" that combines every group past the limit (averages from their sums and counts).
    private static func groups(_ widget: Widget, label: String, parts: inout Parts) -> String {
        let folds = widget.kind.foldsRestIntoOther
        var select = "SELECT \(label) AS g_label, \(parts.metric()) AS g_value"
        if folds && parts.aggregate == .avg, let measured = parts.measured {
            select += ", sum(\(measured)) AS g_total, count(\(measured)) AS g_count"
        }
        let sort = widget.sort ?? WidgetSort(.value, descending: true)
        let direction = sort.descending ? " DESC" : ""
        let order =
            sort.key == .value
            ? [nullsLast("g_value"), "g_value" + direction, nullsLast("g_label"), "g_label"]
            : [nullsLast("g_label"), "g_label" + direction]
        let limit = parts.bind(.integer(Int64(widget.limit ?? 10)))
        var sql =
            "WITH grouped AS (\(select)\(parts.from()) GROUP BY \(label)), "
            + "ranked AS (SELECT *, ROW_NUMBER() OVER (ORDER BY \(order.joined(separator: ", "))) AS g_rank "
            + "FROM grouped) SELECT 0 AS g_folded, g_label, g_value, g_rank FROM ranked WHERE g_rank <= \(limit)"
        if folds {
            let real = parts.dialect == .sqlite ? "REAL" : "DOUBLE PRECISION"
            let combined =
                switch parts.aggregate {
                case .count, .sum: "sum(g_value)"
                case .min: "min(g_value)"
                case .max: "max(g_value)"
                case .avg: "CAST(sum(g_total) AS \(real)) / NULLIF(sum(g_count), 0)"
                }
            sql += " UNION ALL SELECT 1, NULL, \(combined), count(*) FROM ranked WHERE g_rank > \(limit)"
        }
        return sql + " ORDER BY 1, 4"
    }

    /// The time from which `widget`'s result depends on the present: the start of the current
    /// bucket for numbers with a time axis and lines showing the latest buckets, else nil.
    static func anchor(of widget: Widget, now: Date) -> Date? {
        guard let time = widget.time, widget.kind == .number || time.last != nil else { return nil }
        return time.bucket.start(of: now)
    }

    /// The SQL expression for the start of the bucket holding `column`'s value, as a timestamp
    /// on PostgreSQL and as RFC 3339 text on SQLite.
    private static func bucketExpression(_ column: String, _ bucket: TimeBucket, _ dialect: SQLDialect) -> String {
        switch (dialect, bucket) {
        case (.postgres, _): "date_trunc('\(bucket.rawValue)', \(column), 'UTC')"
        case (.sqlite, .hour): "strftime('%Y-%m-%dT%H:00:00Z', \(column))"
        case (.sqlite, .day): "substr(\(column), 1, 10) || 'T00:00:00Z'"
        // 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is its Monday.
        case (.sqlite, .week): "date(\(column), 'weekday 0', '-6 days') || 'T00:00:00Z'"
        case (.sqlite, .month): "substr(\(column), 1, 7) || '-01T00:00:00Z'"
        }
    }

    private static func nullsLast(_ expression: String) -> String {
        "CASE WHEN \(expression) IS NULL THEN 1 ELSE 0 END"
    }

    /// The result from the statement's rows; no rows at all stand for a table not created yet.
    func result(from rows: [Row]) throws(DatabaseError) -> WidgetResult {
        switch shape {
        case .total:
            return .number(NumberResult(value: zeroed(try rows.first?.optionalDouble(0))))
        case .comparison(let current, let previous):
            return .number(
                NumberResult(
                    value: zeroed(try rows.first?.optionalDouble(0)),
                    previousValue: zeroed(try rows.first?.optionalDouble(1)), period: current,
                    previousPeriod: previous))
        case .series(let bucket, let range):
            var values: [Date: Double?] = [:]
            for row in rows {
                values[try row.date(0)] = zeroed(try row.optionalDouble(1))
            }
            guard var first = range?.first ?? values.keys.min(), let last = range?.last ?? values.keys.max() else {
                return .series(SeriesResult(bucket: bucket, points: []))
            }
            first = max(first, bucket.advance(last, by: 1 - Self.maximumPoints))
            var points: [SeriesPoint] = []
            var time = first
            while time <= last {
                points.append(SeriesPoint(time: time, value: values[time] ?? zeroed(nil)))
                time = bucket.advance(time, by: 1)
            }
            return .series(SeriesResult(bucket: bucket, points: points))
        case .groups(let labels):
            var groups: [GroupRow] = []
            for row in rows {
                let value = zeroed(try row.optionalDouble(2))
                if try row.int(0) == 0 {
                    groups.append(GroupRow(label: Self.label(row[1], type: labels), value: value))
                } else if try row.int(3) > 0 {
                    groups.append(GroupRow(label: GroupRow.otherLabel, value: value, isOther: true))
                }
            }
            return .groups(GroupsResult(rows: groups))
        case .records(let columns):
            let cells = rows.map { row in columns.indices.map { Self.cell(row[$0], type: columns[$0].type) } }
            return .table(TableResult(columns: columns, rows: cells))
        }
    }

    /// A missing count or sum as 0, since there was nothing to count or add; other metrics stay nil.
    private func zeroed(_ value: Double?) -> Double? {
        switch widget.metric.aggregate {
        case .count, .sum: value ?? 0
        case .avg, .min, .max: value
        }
    }

    /// A group-by value as the label shown.
    private static func label(_ value: DatabaseValue, type: ColumnType) -> String? {
        switch value {
        case .null: nil
        case .integer(let number): type == .boolean ? (number != 0 ? "true" : "false") : String(number)
        case .real(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        case .bool(let flag): flag ? "true" : "false"
        case .text(let text): text
        case .timestamp(let date): DatabaseValue.timestampText(date)
        case .blob(let bytes): Data(bytes).base64EncodedString()
        }
    }

    /// A stored value as the cell of a column of `type`: SQLite's 0/1 booleans and timestamp text
    /// read back as booleans and times.
    private static func cell(_ value: DatabaseValue, type: ColumnType) -> TableCell {
        switch (value, type) {
        case (.null, _): .null
        case (.integer(let number), .boolean): .bool(number != 0)
        case (.integer(let number), .real): .real(Double(number))
        case (.integer(let number), _): .integer(number)
        case (.real(let number), _): .real(number)
        case (.bool(let flag), _): .bool(flag)
        case (.timestamp(let date), _): .timestamp(date)
        case (.text(let text), .timestamp): Timestamp.parse(text).map(TableCell.timestamp) ?? .text(text)
        case (.text(let text), _): .text(truncated(text))
        case (.blob(let bytes), _): .text(Data(bytes).base64EncodedString())
        }
    }

    private static func truncated(_ text: String) -> String {
        guard text.count > TableResult.maximumTextLength else { return text }
        return String(text.prefix(TableResult.maximumTextLength - 1)) + "…"
    }
}
