import Core
import Foundation
import Storage

/// The JSON shapes of results, as docs/dashboards.md shows them: `{"type": …}` with the kind's
/// own members, times in RFC 3339 UTC whatever the encoder's date settings. A table's records
/// are objects keyed by field, in the order of its `columns`.
extension WidgetResult: Encodable {
    private enum CodingKeys: String, CodingKey {
        case type, value, previousValue, changePercent, period, previousPeriod, bucket, points, rows, columns
        case records
    }

    /// A member named by a record's field.
    private struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }

    private enum MemberKeys: String, CodingKey {
        case start, end, time, value, label, other, field, type
    }

    /// Encodes the result with a `type` of `number`, `series`, `groups` or `table`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .number(let number):
            try container.encode("number", forKey: .type)
            try container.encode(number.value, forKey: .value)
            try container.encode(number.previousValue, forKey: .previousValue)
            try container.encode(number.changePercent, forKey: .changePercent)
            for (interval, key) in [(number.period, CodingKeys.period), (number.previousPeriod, .previousPeriod)] {
                guard let interval else {
                    try container.encodeNil(forKey: key)
                    continue
                }
                var period = container.nestedContainer(keyedBy: MemberKeys.self, forKey: key)
                try period.encode(Timestamp.rfc3339(interval.start), forKey: .start)
                try period.encode(Timestamp.rfc3339(interval.end), forKey: .end)
            }
        case .series(let series):
            try container.encode("series", forKey: .type)
            try container.encode(series.bucket, forKey: .bucket)
            var points = container.nestedUnkeyedContainer(forKey: .points)
            for point in series.points {
                var member = points.nestedContainer(keyedBy: MemberKeys.self)
                try member.encode(Timestamp.rfc3339(point.time), forKey: .time)
                try member.encode(point.value, forKey: .value)
            }
        case .groups(let groups):
            try container.encode("groups", forKey: .type)
            var rows = container.nestedUnkeyedContainer(forKey: .rows)
            for row in groups.rows {
                var member = rows.nestedContainer(keyedBy: MemberKeys.self)
                try member.encode(row.isOther ? "Other" : row.label, forKey: .label)
                try member.encode(row.value, forKey: .value)
                try member.encode(row.isOther, forKey: .other)
            }
        case .table(let table):
            try container.encode("table", forKey: .type)
            var columns = container.nestedUnkeyedContainer(forKey: .columns)
            for column in table.columns {
                var member = columns.nestedContainer(keyedBy: MemberKeys.self)
                try member.encode(column.field, forKey: .field)
                try member.encode(column.type.rawValue, forKey: .type)
            }
            let keys = table.columns.map { FieldKey(stringValue: $0.field) }
            var records = container.nestedUnkeyedContainer(forKey: .records)
            for row in table.rows {
                var record = records.nestedContainer(keyedBy: FieldKey.self)
                for (key, cell) in zip(keys, row) {
                    try record.encode(cell, forKey: key)
                }
            }
        }
    }
}

extension TableCell: Encodable {
    /// Encodes the cell as its JSON value; timestamps as RFC 3339 text with microseconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .integer(let number): try container.encode(number)
        case .real(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .timestamp(let date): try container.encode(DatabaseValue.timestampText(date))
        case .text(let text): try container.encode(text)
        }
    }
}
