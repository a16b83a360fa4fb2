import Foundation
import Storage

/// Streams the rows of an SQL source's selection into record batches, over one connection.
///
/// A full read runs the selection once and leaves every checkpoint's position nil: it restarts
/// from the beginning when resumed. An incremental read (``ConnectorContext/cursorField`` set)
/// orders by the cursor column and reads from the checkpoint's position, else its `since`; each
/// checkpoint's position is the last cursor value delivered, so a resumed read starts at that
/// value again and reads the records that share it once more, which the engine's upsert absorbs.
struct SQLRecordStream {
    /// The source's statements.
    let statements: SQLSourceStatements
    /// Turns a database error into the connector's own, with secrets removed.
    let describe: (DatabaseError) -> SyncError

    /// Reads the selection on `connection`, handing `deliver` batches of `context.batchSize`.
    func read(
        on connection: any DatabaseConnection, from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        let cursorField = context.cursorField
        let lowerBound = cursorField == nil ? nil : checkpoint.position ?? checkpoint.since
        let sql = cursorField.map { statements.incremental(cursorField: $0, hasLowerBound: lowerBound != nil) }
        let parameters = lowerBound.map { [Self.boundValue($0, dialect: connection.dialect)] } ?? []

        let batchSize = max(context.batchSize, 1)
        var batch = RecordBatch()
        var cursorIndex: Int?
        var lastCursor = lowerBound
        var isFirstRow = true
        try context.checkCancelled()
        context.logger.debug(
            "reading an SQL source",
            ["selection": statements.summary, "mode": cursorField == nil ? "full" : "incremental"])
        // Limitation: on PostgreSQL, when the run is cancelled or `deliver` fails mid-way through the
        // result, Storage reads and discards the rest of it before the error surfaces, so stopping a
        // full read of a large table takes as long as receiving its remaining rows.
        do {
            try connection.query(sql ?? statements.full, parameters) { (row: RowView) in
                if isFirstRow {
                    batch = try Self.emptyBatch(columns: row.columnNames)
                    cursorIndex = cursorField.flatMap { row.columnNames.firstIndex(of: $0) }
                    isFirstRow = false
                }
                var values: [RecordValue] = []
                values.reserveCapacity(row.count)
                for index in 0..<row.count {
                    values.append(Self.value(row.field(at: index), isJSON: row.holdsJSON(at: index)))
                }
                if let cursorIndex, let text = Self.cursorText(values[cursorIndex]) { lastCursor = text }
                batch.append(values)
                guard batch.count >= batchSize else { return }
                try deliver(batch, SyncCheckpoint(since: checkpoint.since, position: lastCursor))
                batch.removeAllRecords()
                try context.checkCancelled()
            }
        } catch {
            throw Self.syncError(from: error, describe: describe)
        }
        guard !batch.isEmpty else { return }
        try deliver(batch, SyncCheckpoint(since: checkpoint.since, position: lastCursor))
    }

    /// `error` as a sync error: itself when it is one, else a database error through `describe`.
    static func syncError(from error: any Error, describe: (DatabaseError) -> SyncError) -> SyncError {
        switch error {
        case let error as SyncError: error
        case let error as DatabaseError: describe(error)
        default: SyncError(.connection, "Reading the source failed: \(error)")
        }
    }

    /// An empty batch over the result's columns, refusing two columns of one name.
    ///
    /// A batch keeps one field per name, so the second column would overwrite the first.
    private static func emptyBatch(columns: [String]) throws(SyncError) -> RecordBatch {
        let batch = RecordBatch(fieldNames: columns, records: [])
        guard batch.fieldNames.count == columns.count else {
            let repeated = columns.first { name in columns.filter { $0 == name }.count > 1 } ?? ""
            throw SyncError(
                .configuration, "The selection has more than one column named \"\(repeated)\"; rename them with AS.")
        }
        return batch
    }

    /// A column value as a record value.
    ///
    /// Timestamps become RFC 3339 text in UTC with microseconds, blobs base64 text, and the text of
    /// `json` and `jsonb` columns JSON.
    static func value(_ field: RowView.Field, isJSON: Bool) -> RecordValue {
        switch field {
        case .null: .null
        case .integer(let number): .integer(number)
        case .real(let number): .real(number)
        case .bool(let flag): .bool(flag)
        case .timestamp(let date): .text(DatabaseValue.timestampText(date))
        case .text(let bytes):
            isJSON ? .json(String(decoding: bytes, as: UTF8.self)) : .text(String(decoding: bytes, as: UTF8.self))
        case .blob(let bytes): .text(Data(bytes).base64EncodedString())
        }
    }

    /// The text a cursor value is compared by when a read resumes; nil for null.
    static func cursorText(_ value: RecordValue) -> String? {
        switch value {
        case .null: nil
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .text(let text), .json(let text): text
        }
    }

    /// The lower bound of an incremental read as a bound value.
    ///
    /// PostgreSQL receives text of no declared type, which the server reads as the cursor
    /// column's own type (`timestamptz`, `bigint`, `numeric`, `text`, …), so the comparison is
    /// that type's. SQLite compares across storage classes, where every number sorts before every
    /// text: a column declared INTEGER or REAL converts text for the comparison, but a computed
    /// column has no such affinity, so a bound that reads as a number is bound as one.
    static func boundValue(_ text: String, dialect: SQLDialect) -> DatabaseValue {
        guard dialect == .sqlite else { return .text(text) }
        switch RecordValue.inferred(fromCSV: text) {
        case .integer(let number): return .integer(number)
        case .real(let number): return .real(number)
        default: return .text(text)
        }
    }
}
