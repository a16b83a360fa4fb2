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

    /// The most filters one query may carry.
    public static let maximumFilters = 20

    /// The longest search text.
    public static let maximumSearchLength = 200

    /// Reads the parameters the records API and the data table share: field names, `FIELD:OP:VALUE`
    /// filters, search text, and a sort field that a leading `-` makes descending.
    ///
    /// Throws ``SyncError/Kind/invalidQuery`` naming each bad parameter (`filter[2]`, `q`) in its
    /// fields; whether the fields exist is checked only when the query runs.
    public init(fields: [String]?, filters: [String], search: String?, sort: String?) throws(SyncError) {
        var problems: [String: String] = [:]
        self.fields = fields
        for (index, text) in filters.enumerated() {
            guard let filter = RecordFilter(parsing: text) else {
                problems["filter[\(index)]"] = "Write FIELD:OP:VALUE, FIELD:null or FIELD:notnull."
                continue
            }
            self.filters.append(filter)
        }
        if filters.count > Self.maximumFilters { problems["filter"] = "At most \(Self.maximumFilters) filters." }
        if let search, search.count > Self.maximumSearchLength {
            problems["q"] = "At most \(Self.maximumSearchLength) characters."
        }
        self.search = search
        if var sort {
            if sort.hasPrefix("-") {
                descending = true
                sort.removeFirst()
            }
            self.sort = sort
        }
        guard problems.isEmpty else { throw SyncError(.invalidQuery, "A parameter is malformed.", fields: problems) }
    }
}

/// One page of a source's records as values, for pages that render them.
public struct RecordPage: Sendable {
    /// The columns shown, in order.
    public var columns: [RecordColumn]
    /// The records, each with one value per column: timestamps as RFC 3339 text, JSON columns as
    /// ``RecordValue/json(_:)``.
    public var records: [[RecordValue]]
    /// The token that continues after the last record; nil on the last page.
    public var nextCursor: String?
}

/// Reads pages of a source's records as JSON, and every matching record as CSV, with keyset
/// pagination that stays stable while records change.
///
/// A query sorted by a field without a sort index asks `indexer` to build one.
public struct RecordReader: Sendable {
    private let database: any Database
    private let indexer: RecordIndexer?

    /// Creates a reader over `database`; without an indexer, sorts never get an index.
    public init(database: any Database, indexer: RecordIndexer? = nil) {
        self.database = database
        self.indexer = indexer
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
        var writer = JSONWriter(capacity: 16_384)
        var keys: [JSONKey] = []
        let nextCursor = try readPage(sourceID: sourceID, query: query) { columns in
            keys = columns.map { JSONKey($0.name) }
            writer.beginObject()
            writer.key("columns")
            writer.beginArray()
            for column in columns {
                column.write(to: &writer)
            }
            writer.endArray()
            writer.key("records")
            writer.beginArray()
        } record: { plan, view in
            writer.beginObject()
            for (index, key) in keys.enumerated() {
                writer.key(key)
                writer.field(plan.field(of: view, column: index))
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key("nextCursor")
        if let nextCursor { writer.string(nextCursor) } else { writer.null() }
        writer.endObject()
        return writer.bytes
    }

    /// One page as values, for the data table.
    public func records(sourceID: Int64, query: RecordQuery) throws -> RecordPage {
        var types: [ColumnType] = []
        var shown: [RecordColumn] = []
        var records: [[RecordValue]] = []
        records.reserveCapacity(query.limit)
        let nextCursor = try readPage(sourceID: sourceID, query: query) { columns in
            shown = columns
            types = columns.map(\.type)
        } record: { plan, view in
            records.append(
                types.indices.map { column in
                    SQLRecordStream.value(plan.field(of: view, column: column), isJSON: types[column] == .json)
                })
        }
        return RecordPage(columns: shown, records: records, nextCursor: nextCursor)
    }

    /// Runs one page of `query`: `columns` first with the columns shown, then `record` for each
    /// row of the page; returns the token of the next page, nil after the last.
    private func readPage(
        sourceID: Int64, query: RecordQuery, columns: ([RecordColumn]) -> Void,
        record: (RecordQueryPlan, RowView) -> Void
    ) throws -> String? {
        try database.read { connection in
            let table = try RecordTable.load(sourceID: sourceID, staging: false, on: connection)
            let plan = try RecordQueryPlan(table: table, query: query, dialect: connection.dialect, paged: true)
            columns(plan.columns)
            guard try table.exists(on: connection) else { return nil }
            requestSortIndex(for: query, table: table)
            var count = 0
            var lastPosition: RecordQueryPlan.Position?
            try connection.query(plan.sql, plan.parameters) { (view: RowView) in
                count += 1
                guard count <= query.limit else { return }
                lastPosition = plan.position(of: view)
                record(plan, view)
            }
            return count > query.limit ? lastPosition?.token : nil
        }
    }

    private func requestSortIndex(for query: RecordQuery, table: RecordTable) {
        guard let indexer, let field = query.sort, table.column(forField: field) != nil,
            table.sortIndexes[field] == nil
        else { return }
        indexer.request(sourceID: table.sourceID, field: field)
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
            requestSortIndex(for: query, table: table)
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
