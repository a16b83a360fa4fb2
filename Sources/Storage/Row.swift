import Core
import Foundation

/// The column names of one result, shared by all of its rows.
///
/// Built once per query, so reading a page of rows costs one name table, not one per row.
final class ResultColumns: Sendable {
    let names: [String]
    /// The names encoded as JSON member names, so that each row written as JSON reuses them.
    let jsonKeys: [JSONKey]
    private let indexes: [String: Int]

    init(names: [String]) {
        self.names = names
        self.jsonKeys = names.map(JSONKey.init)
        var indexes: [String: Int] = [:]
        indexes.reserveCapacity(names.count)
        for (index, name) in names.enumerated() where indexes[name] == nil {
            indexes[name] = index
        }
        self.indexes = indexes
    }

    func index(of name: String) -> Int? {
        indexes[name]
    }
}

/// Names a column of a ``Row``: by position (`Int`, from 0) or by name (`String`).
public protocol ColumnReference: Sendable {
    /// The column's position in `row`, or nil when the row has no such column.
    func columnIndex(in row: Row) -> Int?
}

extension Int: ColumnReference {
    /// The column at this position, if the row is wide enough.
    public func columnIndex(in row: Row) -> Int? {
        self >= 0 && self < row.count ? self : nil
    }
}

extension String: ColumnReference {
    /// The first column with this name.
    public func columnIndex(in row: Row) -> Int? {
        row.columns.index(of: self)
    }
}

/// One result row: values in column order and the result's column names.
///
/// Typed getters throw ``DatabaseError`` of kind `typeMismatch` when the column holds another
/// type or NULL, and `columnNotFound` for an unknown column; the `optional…` getters return nil
/// for NULL instead. Getters convert only where the databases differ in representation: an
/// SQLite INTEGER 0/1 reads as a bool, SQLite RFC 3339 text as a date, an integral PostgreSQL
/// `numeric` (such as `sum(bigint)`) as an integer.
public struct Row: Sendable {
    let columns: ResultColumns
    /// The values in column order.
    public let values: [DatabaseValue]

    init(columns: ResultColumns, values: [DatabaseValue]) {
        self.columns = columns
        self.values = values
    }

    /// The number of columns.
    public var count: Int { values.count }

    /// The column names in order.
    public var columnNames: [String] { columns.names }

    /// The value at position `index`; traps when out of range, like an array.
    public subscript(index: Int) -> DatabaseValue {
        values[index]
    }

    /// The value of the column named `name`, or nil when the row has no such column.
    public subscript(name: String) -> DatabaseValue? {
        columns.index(of: name).map { values[$0] }
    }

    /// The value of a column, throwing when the row has no such column.
    public func value(_ column: some ColumnReference) throws(DatabaseError) -> DatabaseValue {
        guard let index = column.columnIndex(in: self) else {
            throw DatabaseError(.columnNotFound, message: "the result has no column \(column)")
        }
        return values[index]
    }

    /// Whether a column holds NULL.
    public func isNull(_ column: some ColumnReference) throws(DatabaseError) -> Bool {
        try value(column).isNull
    }

    /// An integer column.
    public func int(_ column: some ColumnReference) throws(DatabaseError) -> Int64 {
        try convert(column, to: "integer", Row.integer)
    }

    /// A real column; integers convert.
    public func double(_ column: some ColumnReference) throws(DatabaseError) -> Double {
        try convert(column, to: "real", Row.real)
    }

    /// A text column.
    public func string(_ column: some ColumnReference) throws(DatabaseError) -> String {
        try convert(column, to: "text", Row.text)
    }

    /// A boolean column.
    public func bool(_ column: some ColumnReference) throws(DatabaseError) -> Bool {
        try convert(column, to: "bool", Row.boolean)
    }

    /// A timestamp column.
    public func date(_ column: some ColumnReference) throws(DatabaseError) -> Date {
        try convert(column, to: "timestamp", Row.date)
    }

    /// A blob column.
    public func bytes(_ column: some ColumnReference) throws(DatabaseError) -> [UInt8] {
        try convert(column, to: "blob", Row.blob)
    }

    /// An integer column that may be NULL.
    public func optionalInt(_ column: some ColumnReference) throws(DatabaseError) -> Int64? {
        try isNull(column) ? nil : int(column)
    }

    /// A real column that may be NULL.
    public func optionalDouble(_ column: some ColumnReference) throws(DatabaseError) -> Double? {
        try isNull(column) ? nil : double(column)
    }

    /// A text column that may be NULL.
    public func optionalString(_ column: some ColumnReference) throws(DatabaseError) -> String? {
        try isNull(column) ? nil : string(column)
    }

    /// A boolean column that may be NULL.
    public func optionalBool(_ column: some ColumnReference) throws(DatabaseError) -> Bool? {
        try isNull(column) ? nil : bool(column)
    }

    /// A timestamp column that may be NULL.
    public func optionalDate(_ column: some ColumnReference) throws(DatabaseError) -> Date? {
        try isNull(column) ? nil : date(column)
    }

    /// A blob column that may be NULL.
    public func optionalBytes(_ column: some ColumnReference) throws(DatabaseError) -> [UInt8]? {
        try isNull(column) ? nil : bytes(column)
    }

    private func convert<T>(
        _ column: some ColumnReference,
        to typeName: String,
        _ conversion: (DatabaseValue) -> T?
    ) throws(DatabaseError) -> T {
        let value = try value(column)
        if let converted = conversion(value) { return converted }
        let name = column.columnIndex(in: self).map { columns.names[$0] } ?? "\(column)"
        throw DatabaseError(
            .typeMismatch,
            message: "column \"\(name)\" holds \(value.kindName), not \(typeName)"
        )
    }

    private static func integer(_ value: DatabaseValue) -> Int64? {
        switch value {
        case .integer(let number): number
        case .real(let number): Int64(exactly: number)
        default: nil
        }
    }

    private static func real(_ value: DatabaseValue) -> Double? {
        switch value {
        case .real(let number): number
        case .integer(let number): Double(number)
        default: nil
        }
    }

    private static func text(_ value: DatabaseValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }

    private static func boolean(_ value: DatabaseValue) -> Bool? {
        switch value {
        case .bool(let flag): flag
        case .integer(0): false
        case .integer(1): true
        default: nil
        }
    }

    private static func date(_ value: DatabaseValue) -> Date? {
        switch value {
        case .timestamp(let date): date
        case .text(let text): Timestamp.parse(text)
        default: nil
        }
    }

    private static func blob(_ value: DatabaseValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }
}
