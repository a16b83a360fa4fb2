import Core
import Foundation
import Storage

/// The type of a column of a source's record table, inferred from the values seen.
public enum ColumnType: String, Sendable, Hashable, CaseIterable, Codable {
    /// Whole numbers (64-bit).
    case integer
    /// Other numbers.
    case real
    /// `true` or `false`.
    case boolean
    /// RFC 3339 date-times, stored in UTC.
    case timestamp
    /// Nested arrays and objects, kept as JSON text.
    case json
    /// Anything else, and any mix of kinds.
    case text

    /// The type a single non-null value suggests; nil for null, which fits any column.
    public static func inferred(from value: RecordValue) -> ColumnType? {
        switch value {
        case .null: nil
        case .bool: .boolean
        case .integer: .integer
        case .real: .real
        case .json: .json
        case .text(let text): inferred(fromText: text).type
        }
    }

    /// The type a text value suggests, with the time it reads as when it reads as one.
    static func inferred(fromText text: String) -> (type: ColumnType, time: Date?) {
        let time = Timestamp.parse(text)
        return (time == nil ? .text : .timestamp, time)
    }

    /// The narrowest type that holds values of both `self` and `other`: numbers widen to real,
    /// any other mix to text.
    public func widened(with other: ColumnType) -> ColumnType {
        if self == other { return self }
        if (self == .integer && other == .real) || (self == .real && other == .integer) { return .real }
        return .text
    }

    /// The column's declared SQL type in `dialect`.
    func sqlType(_ dialect: SQLDialect) -> String {
        switch (self, dialect) {
        case (.integer, .sqlite): "INTEGER"
        case (.integer, .postgres): "BIGINT"
        case (.real, .sqlite): "REAL"
        case (.real, .postgres): "DOUBLE PRECISION"
        case (.boolean, .sqlite): "INTEGER"
        case (.boolean, .postgres): "BOOLEAN"
        case (.timestamp, .sqlite): "TEXT"
        case (.timestamp, .postgres): "TIMESTAMPTZ"
        case (.json, _), (.text, _): "TEXT"
        }
    }

    /// `value` as this column stores it; the column must already be wide enough for it.
    func databaseValue(_ value: RecordValue) -> DatabaseValue {
        switch (self, value) {
        case (_, .null): .null
        case (.integer, .integer(let number)): .integer(number)
        case (.real, .integer(let number)): .real(Double(number))
        case (.real, .real(let number)): .real(number)
        case (.boolean, .bool(let flag)): .bool(flag)
        case (.timestamp, .text(let text)): Timestamp.parse(text).map(DatabaseValue.timestamp) ?? .text(text)
        case (_, let other): .text(Self.text(of: other))
        }
    }

    /// The text form of any value, as a text column keeps it.
    static func text(of value: RecordValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .real(let number): number.description
        case .text(let text): text
        case .json(let text): text
        }
    }

    /// The SQL expression that converts column `column` from `self` to `wider` in `dialect`.
    func conversion(of column: String, to wider: ColumnType, _ dialect: SQLDialect) -> String {
        switch (self, wider, dialect) {
        case (.integer, .real, _):
            return "CAST(\(column) AS \(ColumnType.real.sqlType(dialect)))"
        case (.boolean, .text, .sqlite):
            return "CASE \(column) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
        case (.timestamp, .text, .postgres):
            return "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        default:
            return "CAST(\(column) AS TEXT)"
        }
    }
}
