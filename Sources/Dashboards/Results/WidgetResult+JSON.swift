import Core
import Foundation
import Storage
import Sync

extension WidgetResult {
    /// Writes the result as JSON, in the shapes docs/dashboards.md shows: `{"type": …}` with
    /// `number`, `series`, `groups` or `table` and the kind's own members.
    ///
    /// Dashboards are read often, so results go straight into the writer rather than through
    /// `JSONEncoder`. Times are RFC 3339 in UTC; a table's records are objects keyed by field,
    /// in the order of its `columns`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("type")
        switch self {
        case .number(let number):
            writer.string("number")
            Self.write("value", number.value, to: &writer)
            Self.write("previousValue", number.previousValue, to: &writer)
            Self.write("changePercent", number.changePercent, to: &writer)
            for (name, interval) in [("period", number.period), ("previousPeriod", number.previousPeriod)] {
                writer.key(name)
                guard let interval else {
                    writer.null()
                    continue
                }
                writer.beginObject()
                writer.key("start")
                writer.string(Timestamp.rfc3339(interval.start))
                writer.key("end")
                writer.string(Timestamp.rfc3339(interval.end))
                writer.endObject()
            }
        case .series(let series):
            writer.string("series")
            writer.key("bucket")
            writer.string(series.bucket.rawValue)
            writer.key("points")
            writer.beginArray()
            for point in series.points {
                writer.beginObject()
                writer.key("time")
                writer.string(Timestamp.rfc3339(point.time))
                Self.write("value", point.value, to: &writer)
                writer.endObject()
            }
            writer.endArray()
        case .groups(let groups):
            writer.string("groups")
            writer.key("rows")
            writer.beginArray()
            for row in groups.rows {
                writer.beginObject()
                writer.key("label")
                if let label = row.label { writer.string(label) } else { writer.null() }
                Self.write("value", row.value, to: &writer)
                writer.key("other")
                writer.bool(row.isOther)
                writer.endObject()
            }
            writer.endArray()
        case .table(let table):
            writer.string("table")
            writer.key("columns")
            writer.beginArray()
            for column in table.columns {
                column.write(to: &writer)
            }
            writer.endArray()
            writer.key("records")
            writer.beginArray()
            let keys = table.columns.map { JSONKey($0.field) }
            for row in table.rows {
                writer.beginObject()
                for (key, cell) in zip(keys, row) {
                    writer.key(key)
                    cell.write(to: &writer)
                }
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    private static func write(_ name: String, _ value: Double?, to writer: inout JSONWriter) {
        writer.key(name)
        if let value { writer.number(value) } else { writer.null() }
    }
}

extension TableCell {
    /// Writes the cell as its JSON value; timestamps as RFC 3339 text with microseconds.
    func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .integer(let number): writer.integer(number)
        case .real(let number): writer.number(number)
        case .bool(let flag): writer.bool(flag)
        case .timestamp(let date): writer.string(DatabaseValue.timestampText(date))
        case .text(let text): writer.string(text)
        }
    }
}
