import CPostgres
import CSQLite
import Foundation

/// One row read in place from the driver's own buffers, for output paths that write every value
/// once (record pages, exports): text arrives as bytes, never as a `String`.
///
/// A view is valid only inside the callback that receives it; the bytes of a `.text` field are
/// gone once the callback returns or the next field of the same column is read.
public struct RowView {
    /// One value of the row.
    public enum Field {
        case null
        case integer(Int64)
        case real(Double)
        case bool(Bool)
        case timestamp(Date)
        /// UTF-8 bytes, not guaranteed valid: SQLite stores whatever it was given.
        case text(UnsafeRawBufferPointer)
        case blob([UInt8])
    }

    enum Source {
        case sqlite(statement: OpaquePointer)
        case postgres(result: OpaquePointer, row: Int32, decoders: [PostgresColumnDecoder])
    }

    let columns: ResultColumns
    let source: Source

    /// The number of columns.
    public var count: Int { columns.names.count }

    /// The column names in order.
    public var columnNames: [String] { columns.names }

    /// The field at position `index`, which must be below `count`.
    public func field(at index: Int) -> Field {
        switch source {
        case .sqlite(let statement):
            return Self.sqliteField(statement, Int32(index))
        case .postgres(let result, let row, let decoders):
            let column = Int32(index)
            guard PQgetisnull(result, row, column) == 0 else { return .null }
            let length = Int(PQgetlength(result, row, column))
            return decoders[index].field(PQgetvalue(result, row, column), length: length)
        }
    }

    /// Whether the column at position `index` is declared `json` or `jsonb`.
    ///
    /// Its text is then a JSON document. Always false on SQLite, which has no JSON type.
    public func holdsJSON(at index: Int) -> Bool {
        guard case .postgres(_, _, let decoders) = source else { return false }
        return decoders[index] == .json
    }

    /// The row with every value decoded into a ``DatabaseValue``.
    func row() -> Row {
        var values: [DatabaseValue] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            values.append(DatabaseValue(field(at: index)))
        }
        return Row(columns: columns, values: values)
    }

    /// Reads a field through its `sqlite3_value`, so the column is looked up once, not once per call.
    ///
    /// The manual calls the value `sqlite3_column_value` returns "unprotected" and its use with
    /// `sqlite3_value_text` and friends not threadsafe: it skips the connection's mutex. That is
    /// sound here because a connection is only ever used by the one thread that borrowed it
    /// (`SQLITE_OPEN_NOMUTEX`). The value lives until the next step, as column pointers do.
    private static func sqliteField(_ statement: OpaquePointer, _ index: Int32) -> Field {
        let value = sqlite3_column_value(statement, index)
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_value_int64(value))
        case SQLITE_FLOAT:
            return .real(sqlite3_value_double(value))
        case SQLITE_TEXT:
            // The manual asks for the pointer first, then the length of that same form.
            let text = sqlite3_value_text(value)
            let length = Int(sqlite3_value_bytes(value))
            return .text(UnsafeRawBufferPointer(start: text, count: text == nil ? 0 : length))
        case SQLITE_BLOB:
            let bytes = sqlite3_value_blob(value)
            let length = Int(sqlite3_value_bytes(value))
            return .blob(bytes == nil ? [] : Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default:
            return .null
        }
    }
}

extension DatabaseValue {
    /// The value of a field, with text copied into a `String`.
    init(_ field: RowView.Field) {
        switch field {
        case .null: self = .null
        case .integer(let number): self = .integer(number)
        case .real(let number): self = .real(number)
        case .bool(let flag): self = .bool(flag)
        case .timestamp(let date): self = .timestamp(date)
        case .text(let bytes): self = .text(String(decoding: bytes, as: UTF8.self))
        case .blob(let bytes): self = .blob(bytes)
        }
    }
}
