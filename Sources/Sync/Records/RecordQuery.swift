import Core
import Foundation
import Storage

/// How a filter compares a column with its value.
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    case eq, ne, gt, gte, lt, lte
    /// Text containing the value, ignoring case.
    case contains
    /// Text starting with the value, ignoring case.
    case prefix
    /// The column is null; takes no value.
    case isNull = "null"
    /// The column is not null; takes no value.
    case notNull = "notnull"
}

/// One condition on a column of a source's records.
public struct RecordFilter: Sendable, Hashable {
    /// The field whose column is compared.
    public var field: String
    /// The comparison.
    public var operation: FilterOperator
    /// The value compared with, as text; read as the column's type.
    public var value: String?

    /// Creates a filter.
    public init(field: String, operation: FilterOperator, value: String? = nil) {
        self.field = field
        self.operation = operation
        self.value = value
    }

    /// Parses `field:op:value` (or `field:null`, `field:notnull`); the value may contain colons.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty, let operation = FilterOperator(rawValue: parts[1]) else {
            return nil
        }
        let takesValue = operation != .isNull && operation != .notNull
        guard takesValue == (parts.count == 3) else { return nil }
        self.init(field: parts[0], operation: operation, value: takesValue ? parts[2] : nil)
    }
}

/// What to read from a source's records: filters, free text, sort, page and columns.
public struct RecordQuery: Sendable, Hashable {
    /// The most records one page returns.
    public static let maximumLimit = 1000

    /// The fields to return; nil for every field.
    public var fields: [String]?
    /// Conditions every record must meet.
    public var filters: [RecordFilter] = []
    /// Text that some text column must contain, ignoring case.
    public var search: String?
    /// The field to sort by; nil sorts by the record key.
    public var sort: String?
    /// Whether the sort runs from high to low.
    public var descending = false
    /// Records per page.
    public var limit = 50
    /// The `nextCursor` of the previous page.
    public var after: String?

    /// Creates a query for the first page of every record.
    public init() {}
}

/// Reads pages of a source's records as JSON, and every matching record as CSV, with keyset
/// pagination that stays stable while records change.
public struct RecordReader: Sendable {
    private let database: any Database

    /// Creates a reader over `database`.
    public init(database: any Database) {
        self.database = database
    }

    /// Checks `query` against the source's columns without reading any record.
    public func validate(sourceID: Int64, query: RecordQuery) throws {
        try database.read { connection in
            let table = try RecordTable.load(sourceID: sourceID, staging: false, on: connection)
            _ = try RecordQueryPlan(table: table, query: query, dialect: connection.dialect, paged: false)
        }
    }

    /// One page as JSON: `{"columns": [...], "records": [...], "nextCursor": …}`.
    public func page(sourceID: Int64, query: RecordQuery) throws -> [UInt8] {
        try database.read { connection in
            let table = try RecordTable.load(sourceID: sourceID, staging: false, on: connection)
            let plan = try RecordQueryPlan(table: table, query: query, dialect: connection.dialect, paged: true)
            var writer = JSONWriter(capacity: 16_384)
            writer.beginObject()
            writer.key("columns")
            writer.beginArray()
            for column in plan.columns {
                writer.beginObject()
                writer.key("field")
                writer.string(column.field)
                writer.key("name")
                writer.string(column.name)
                writer.key("type")
                writer.string(column.type.rawValue)
                writer.endObject()
            }
            writer.endArray()
            writer.key("records")
            writer.beginArray()
            var count = 0
            var lastPosition: RecordQueryPlan.Position?
            let keys = plan.columns.map { JSONKey($0.name) }
            if try table.exists(on: connection) {
                try connection.query(plan.sql, plan.parameters) { (view: RowView) in
                    count += 1
                    guard count <= query.limit else { return }
                    lastPosition = plan.position(of: view)
                    writer.beginObject()
                    for (index, key) in keys.enumerated() {
                        writer.key(key)
                        writer.field(plan.field(of: view, column: index))
                    }
                    writer.endObject()
                }
            }
            writer.endArray()
            writer.key("nextCursor")
            if count > query.limit, let lastPosition { writer.string(lastPosition.token) } else { writer.null() }
            writer.endObject()
            return writer.bytes
        }
    }

    /// Every matching record as CSV with a header row of field names, handed out in chunks.
    ///
    /// Text cells that a spreadsheet would read as a formula (starting `=`, `+`, `-`, `@`, tab or
    /// CR) are prefixed with `'`; numbers and booleans are written as they are.
    public func export(sourceID: Int64, query: RecordQuery, chunk: ([UInt8]) throws -> Void) throws {
        try database.read { connection in
            let table = try RecordTable.load(sourceID: sourceID, staging: false, on: connection)
            let plan = try RecordQueryPlan(table: table, query: query, dialect: connection.dialect, paged: false)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(70_000)
            for (index, column) in plan.columns.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                CSVCell.append(Array(column.field.utf8), to: &bytes)
            }
            bytes += [0x0D, 0x0A]
            guard try table.exists(on: connection) else { return try chunk(bytes) }
            try connection.query(plan.sql, plan.parameters) { (view: RowView) in
                for index in 0..<plan.columns.count {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    Self.appendCell(plan.field(of: view, column: index), to: &bytes)
                }
                bytes += [0x0D, 0x0A]
                if bytes.count >= 64 * 1024 {
                    try chunk(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            if !bytes.isEmpty { try chunk(bytes) }
        }
    }

    private static func appendCell(_ field: RowView.Field, to bytes: inout [UInt8]) {
        switch field {
        case .null: break
        case .integer(let number): bytes += Array(String(number).utf8)
        case .real(let number): bytes += Array(number.description.utf8)
        case .bool(let flag): bytes += Array((flag ? "true" : "false").utf8)
        case .timestamp(let date): bytes += Array(DatabaseValue.timestampText(date).utf8)
        case .text(let text): CSVCell.append(text, to: &bytes)
        case .blob(let blob): bytes += Array(Data(blob).base64EncodedString().utf8)
        }
    }
}
