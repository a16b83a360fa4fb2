import Core
import Foundation
import Storage

/// A source's record table, live or staging: its data columns, and the statements that create
/// it, fit it to a batch and upsert batches into it.
///
/// Every statement runs on the connection the caller passes, inside the caller's transaction,
/// so a batch, the columns it added and the checkpoint that covers it commit together.
/// Identifiers come only from the table's own column list and are always quoted; values are
/// always bound.
struct RecordTable {
    let sourceID: Int64
    let staging: Bool
    private(set) var columns: [RecordColumn] {
        didSet { upsertStatements = [:] }
    }
    private var positionsByField: [String: Int]
    /// The sort index of each field that has one, by field: see ``addSortIndex(field:on:)``.
    private(set) var sortIndexes: [String: String]
    /// The upsert SQL by number of rows (0 for PostgreSQL's merge of a copied batch), built once
    /// per column layout: a statement of a hundred rows has over a thousand placeholders.
    private var upsertStatements: [Int: String] = [:]
    /// Whether PostgreSQL batches are copied straight into the table rather than merged: set for
    /// a table that holds none of the keys to come (it started the run empty, or it is a full
    /// refresh's staging table), and cleared for the rest of the run once a key repeats.
    var copiesBatches = false

    private init(sourceID: Int64, staging: Bool, columns: [RecordColumn], sortIndexes: [String: String] = [:]) {
        self.sourceID = sourceID
        self.staging = staging
        self.columns = columns.sorted { $0.position < $1.position }
        positionsByField = Dictionary(uniqueKeysWithValues: self.columns.enumerated().map { ($1.field, $0) })
        self.sortIndexes = sortIndexes
    }

    /// The most sort indexes a table gets: each one costs every later write to the table.
    static let maximumSortIndexes = 8

    /// The table's name.
    var name: String { RecordSQL.tableName(sourceID: sourceID, staging: staging) }

    private var quotedName: String { RecordSQL.quote(name) }

    /// The table of `sourceID` as recorded in `source_columns`.
    static func load(sourceID: Int64, staging: Bool, on connection: any DatabaseConnection) throws -> RecordTable {
        let rows = try connection.query(
            """
            SELECT field, column_name, type, position, index_name FROM source_columns
            WHERE source_id = $1 AND staging = $2
            """,
            [.integer(sourceID), .bool(staging)])
        var sortIndexes: [String: String] = [:]
        let columns = try rows.map { row in
            let field = try row.string(0)
            if let index = try row.optionalString(4) { sortIndexes[field] = index }
            return RecordColumn(
                field: field, name: try row.string(1), type: ColumnType(rawValue: try row.string(2)) ?? .text,
                position: Int(try row.int(3)))
        }
        return RecordTable(sourceID: sourceID, staging: staging, columns: columns, sortIndexes: sortIndexes)
    }

    /// Whether the table holds no row, deleted ones included.
    func isEmpty(on connection: any DatabaseConnection) throws -> Bool {
        try connection.queryOne("SELECT 1 FROM \(quotedName) LIMIT 1") == nil
    }

    /// Whether the table exists in the database.
    func exists(on connection: any DatabaseConnection) throws -> Bool {
        switch connection.dialect {
        case .sqlite:
            try connection.queryOne(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", [.text(name)]) != nil
        case .postgres:
            try connection.queryOne("SELECT to_regclass($1) IS NOT NULL", [.text(quotedName)])?.bool(0) ?? false
        }
    }

    /// Creates the table with its bookkeeping columns and the recorded data columns, unless it exists.
    func create(on connection: any DatabaseConnection) throws {
        let dialect = connection.dialect
        let time = dialect == .sqlite ? "TEXT" : "TIMESTAMPTZ"
        var definitions = [
            "\(RecordSQL.primaryKey) TEXT PRIMARY KEY",
            "\(RecordSQL.firstSeen) \(time) NOT NULL",
            "\(RecordSQL.lastUpdated) \(time) NOT NULL",
            "\(RecordSQL.syncRun) BIGINT NOT NULL",
            "\(RecordSQL.deletedAt) \(time)",
        ]
        definitions += columns.map { "\(RecordSQL.quote($0.name)) \($0.type.sqlType(dialect))" }
        // On SQLite the key is the table's own B-tree (WITHOUT ROWID), so an insert writes one tree,
        // not a table and an index beside it.
        let layout = dialect == .sqlite ? " WITHOUT ROWID" : ""
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(quotedName) (\(definitions.joined(separator: ", ")))\(layout)")
    }

    /// Drops the table and forgets its columns.
    func drop(on connection: any DatabaseConnection) throws {
        try connection.execute("DROP TABLE IF EXISTS \(quotedName)")
        try connection.execute(
            "DELETE FROM source_columns WHERE source_id = $1 AND staging = $2", [.integer(sourceID), .bool(staging)])
    }

    /// Starts this (staging) table over with `template`'s columns, so a full refresh keeps the
    /// live table's column names, order and types unless the data forces a change.
    static func recreate(
        sourceID: Int64, staging: Bool, like template: RecordTable, on connection: any DatabaseConnection
    ) throws -> RecordTable {
        var table = RecordTable(sourceID: sourceID, staging: staging, columns: [])
        try table.drop(on: connection)
        for column in template.columns {
            try table.record(column, on: connection)
        }
        table = RecordTable(sourceID: sourceID, staging: staging, columns: template.columns)
        try table.create(on: connection)
        return table
    }

    /// The column holding `field`, if any.
    func column(forField field: String) -> RecordColumn? {
        positionsByField[field].map { columns[$0] }
    }

    /// Adds a column for each new field of the batch that has a value, and widens each column whose
    /// type cannot hold the batch's values; returns, per field of the batch, its column's index
    /// in ``columns`` (nil for a field that is null throughout and has no column yet).
    mutating func fit(_ prepared: PreparedBatch, on connection: any DatabaseConnection) throws -> [Int?] {
        var mapping: [Int?] = []
        mapping.reserveCapacity(prepared.batch.fieldNames.count)
        for (fieldName, seen) in zip(prepared.batch.fieldNames, prepared.fieldTypes) {
            if let index = positionsByField[fieldName] {
                if let seen, columns[index].type.widened(with: seen) != columns[index].type {
                    try widen(index, to: columns[index].type.widened(with: seen), on: connection)
                }
                mapping.append(index)
            } else if let seen {
                let taken = Set(columns.map { $0.name.lowercased() })
                let column = RecordColumn(
                    field: fieldName, name: RecordSQL.columnName(for: fieldName, taken: taken), type: seen,
                    position: columns.count)
                try connection.execute(
                    "ALTER TABLE \(quotedName) ADD COLUMN \(RecordSQL.quote(column.name)) "
                        + column.type.sqlType(connection.dialect))
                try record(column, on: connection)
                positionsByField[fieldName] = columns.count
                columns.append(column)
                mapping.append(columns.count - 1)
            } else {
                mapping.append(nil)
            }
        }
        return mapping
    }

    private func record(_ column: RecordColumn, on connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO source_columns (source_id, staging, position, field, column_name, type)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                .integer(sourceID), .bool(staging), .integer(Int64(column.position)), .text(column.field),
                .text(column.name), .text(column.type.rawValue),
            ])
    }

    private mutating func widen(_ index: Int, to wider: ColumnType, on connection: any DatabaseConnection) throws {
        let column = columns[index]
        let quoted = RecordSQL.quote(column.name)
        let conversion = column.type.conversion(of: quoted, to: wider, connection.dialect)
        switch connection.dialect {
        case .postgres:
            try connection.execute(
                "ALTER TABLE \(quotedName) ALTER COLUMN \(quoted) TYPE \(wider.sqlType(.postgres)) USING \(conversion)")
        case .sqlite:
            // SQLite cannot change a column's type: a new column takes the converted values and
            // the old one's place. An indexed column cannot be dropped, so its index goes first
            // and is built again over the new column.
            let index = sortIndexes[column.field]
            if let index { try connection.execute("DROP INDEX \(RecordSQL.quote(index))") }
            let temporary = RecordSQL.quote("__widening")
            try connection.execute("ALTER TABLE \(quotedName) ADD COLUMN \(temporary) \(wider.sqlType(.sqlite))")
            try connection.execute("UPDATE \(quotedName) SET \(temporary) = \(conversion)")
            try connection.execute("ALTER TABLE \(quotedName) DROP COLUMN \(quoted)")
            try connection.execute("ALTER TABLE \(quotedName) RENAME COLUMN \(temporary) TO \(quoted)")
            if let index { try createSortIndex(named: index, on: column, connection: connection) }
        }
        try connection.execute(
            "UPDATE source_columns SET type = $1 WHERE source_id = $2 AND staging = $3 AND field = $4",
            [.text(wider.rawValue), .integer(sourceID), .bool(staging), .text(column.field)])
        columns[index].type = wider
    }

    /// Adds an index on `field`'s column and the key, the order a records query sorted by the field
    /// reads in, and records it; returns false when the field has no column, already has an index,
    /// or the table has ``maximumSortIndexes``.
    ///
    /// Its name carries a random part: it stays with the table through the rename that makes a
    /// staging table live, so a name derived from the table's would be taken by the next refresh.
    @discardableResult
    mutating func addSortIndex(field: String, on connection: any DatabaseConnection) throws -> Bool {
        guard let column = column(forField: field), sortIndexes[field] == nil,
            sortIndexes.count < Self.maximumSortIndexes
        else { return false }
        let suffix = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let index = "\(name)_sort_\(column.position)_\(suffix)"
        try createSortIndex(named: index, on: column, connection: connection)
        try connection.execute(
            "UPDATE source_columns SET index_name = $1 WHERE source_id = $2 AND staging = $3 AND field = $4",
            [.text(index), .integer(sourceID), .bool(staging), .text(field)])
        sortIndexes[field] = index
        return true
    }

    private func createSortIndex(named index: String, on column: RecordColumn, connection: any DatabaseConnection)
        throws
    {
        let columns = "\(RecordSQL.quote(column.name)), \(RecordSQL.primaryKey)"
        try connection.execute("CREATE INDEX \(RecordSQL.quote(index)) ON \(quotedName) (\(columns))")
    }

    /// Inserts the stored records of the batch under their keys, or updates the stored record with
    /// the same key when any of its values differ; returns how many rows changed.
    ///
    /// A key repeated within the batch keeps its last record. Columns the batch lacks are set to
    /// null, since a record replaces the previous version of itself whole.
    ///
    /// With `countingNewKeys`, it also returns how many of the batch's keys were not live before
    /// it (absent, or marked deleted): the records it made live. Otherwise that count is 0.
    mutating func upsert(
        _ prepared: PreparedBatch, mapping: [Int?], runID: Int64, now: Date, countingNewKeys: Bool,
        on connection: any DatabaseConnection
    ) throws -> (written: Int, newKeys: Int) {
        let (batch, keys, records) = (prepared.batch, prepared.keys, prepared.storedRecords)

        var fieldByColumn = [Int?](repeating: nil, count: columns.count)
        for (field, column) in mapping.enumerated() {
            if let column { fieldByColumn[column] = field }
        }
        // The batch's time is formatted once, not twice a record: SQLite keeps times as text, and
        // COPY reads them as text.
        let stamp = DatabaseValue.text(DatabaseValue.timestampText(now))
        func appendData(of record: Int, to values: inout [DatabaseValue]) {
            for (index, column) in columns.enumerated() {
                guard let field = fieldByColumn[index] else {
                    values.append(.null)
                    continue
                }
                if column.type == .timestamp, let times = prepared.fieldTimes[field] {
                    values.append(times[record].map(DatabaseValue.timestamp) ?? .null)
                } else {
                    values.append(column.type.databaseValue(batch.value(record: record, field: field)))
                }
            }
        }
        var values: [DatabaseValue] = []

        if connection.dialect == .postgres {
            // The batch is copied into a temporary table that empties at commit, then merged in
            // one statement: the server parses COPY's rows far faster than bound values.
            values.reserveCapacity(records.count * (4 + columns.count))
            for record in records {
                values += [.text(keys[record]), stamp, stamp, .integer(runID)]
                appendData(of: record, to: &values)
            }
            // A table filled from empty holds a key only when an earlier batch of the same read
            // had it, which most sources never do: the batch is copied straight in, and when a
            // key does repeat, the copy is undone and this batch and the rest are merged.
            if copiesBatches {
                try connection.execute("SAVEPOINT direct_copy")
                do {
                    // Had any key been stored, the copy would have failed: every one is new.
                    let copied = try connection.copy(into: quotedName, columns: insertedColumns, values: values)
                    try connection.execute("RELEASE SAVEPOINT direct_copy")
                    return (copied, countingNewKeys ? copied : 0)
                } catch {
                    guard error.isUniqueViolation else { throw error }
                    try connection.execute("ROLLBACK TO SAVEPOINT direct_copy")
                    copiesBatches = false
                }
            }
            let newKeys = countingNewKeys ? try keysNotLive(keys, on: connection) : 0
            let incoming = RecordSQL.quote(incomingTableName)
            try connection.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS \(incoming) (LIKE \(quotedName)) ON COMMIT DELETE ROWS")
            try connection.copy(into: incoming, columns: insertedColumns, values: values)
            let sql = upsertStatements[0] ?? mergeSQL(from: incoming)
            upsertStatements[0] = sql
            return (try connection.execute(sql, []), newKeys)
        }

        let newKeys = countingNewKeys ? try keysNotLive(keys, on: connection) : 0
        // A hundred rows a statement share the cost of each step, and keep the statement far
        // under SQLite's 32,766 parameters. The time and the run are bound once per statement,
        // as $1 and $2.
        let width = 1 + columns.count
        let rowsPerStatement = max(1, min(100, (32_766 - 2) / width))
        var changed = 0
        var start = 0
        values.reserveCapacity(2 + min(records.count, rowsPerStatement) * width)
        while start < records.count {
            let chunk = records[start..<min(start + rowsPerStatement, records.count)]
            values.removeAll(keepingCapacity: true)
            values += [stamp, .integer(runID)]
            for record in chunk {
                values.append(.text(keys[record]))
                appendData(of: record, to: &values)
            }
            let sql = upsertStatements[chunk.count] ?? insertSQL(rows: chunk.count)
            upsertStatements[chunk.count] = sql
            changed += try connection.execute(sql, values)
            start += chunk.count
        }
        return (changed, newKeys)
    }

    /// The bookkeeping and data columns an upsert writes, quoted, in the order of its values.
    private var insertedColumns: [String] {
        [RecordSQL.primaryKey, RecordSQL.firstSeen, RecordSQL.lastUpdated, RecordSQL.syncRun]
            + columns.map { RecordSQL.quote($0.name) }
    }

    /// The name of this session's temporary table for batches of this table's current column
    /// layout; another layout (a column added or widened) gets another table.
    private var incomingTableName: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in columns.map({ "\($0.name)\u{1F}\($0.type.rawValue)" }).joined(separator: "\u{1E}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "incoming_\(name)_\(String(hash, radix: 16))"
    }

    /// `INSERT … VALUES` of `rows` rows that updates the stored record of a key already present.
    ///
    /// `$1` is the time every row was first seen and last updated, `$2` the run; each row then
    /// takes its key and its data columns.
    private func insertSQL(rows: Int) -> String {
        var sql = "INSERT INTO \(quotedName) (\(insertedColumns.joined(separator: ", "))) VALUES "
        var parameter = 3
        for row in 0..<rows {
            sql += row > 0 ? ", ($\(parameter), $1, $1, $2" : "($\(parameter), $1, $1, $2"
            parameter += 1
            for _ in columns {
                sql += ", $\(parameter)"
                parameter += 1
            }
            sql += ")"
        }
        return sql + onConflict
    }

    /// `INSERT … SELECT` of every row of `incoming` that updates the stored record of a key
    /// already present.
    private func mergeSQL(from incoming: String) -> String {
        let names = insertedColumns.joined(separator: ", ")
        return "INSERT INTO \(quotedName) (\(names)) SELECT \(names) FROM \(incoming)" + onConflict
    }

    /// The clause that turns an insert into an upsert: a record whose key is stored replaces the
    /// stored values when any differs (or it was marked deleted), keeping its first-seen time.
    private var onConflict: String {
        let dataColumns = columns.map { RecordSQL.quote($0.name) }
        let assignments =
            dataColumns.map { "\($0) = excluded.\($0)" } + [
                "\(RecordSQL.lastUpdated) = excluded.\(RecordSQL.lastUpdated)",
                "\(RecordSQL.syncRun) = excluded.\(RecordSQL.syncRun)", "\(RecordSQL.deletedAt) = NULL",
            ]
        let differences =
            dataColumns.map { "\(quotedName).\($0) IS DISTINCT FROM excluded.\($0)" } + [
                "\(quotedName).\(RecordSQL.deletedAt) IS NOT NULL"
            ]
        return " ON CONFLICT (\(RecordSQL.primaryKey)) DO UPDATE SET " + assignments.joined(separator: ", ")
            + " WHERE " + differences.joined(separator: " OR ")
    }
}

extension RecordTable {
    /// Makes the staging table of a full refresh the live one, in the caller's transaction.
    ///
    /// Records that were already stored keep their first-seen time, and their last-updated time
    /// when no value changed. With `marksDeleted`, records the refresh no longer found are carried
    /// over marked deleted (columns whose type changed are left null for them).
    static func promote(
        _ staging: RecordTable, over live: RecordTable, marksDeleted: Bool, now: Date,
        on connection: any DatabaseConnection
    ) throws {
        let stagingName = RecordSQL.quote(staging.name)
        let liveName = RecordSQL.quote(live.name)
        if try live.exists(on: connection) {
            let shared = staging.columns.filter { live.column(forField: $0.field) == $0 }
            let unchanged =
                staging.columns.count == live.columns.count && shared.count == staging.columns.count
                ? shared.map {
                    "\(stagingName).\(RecordSQL.quote($0.name)) IS NOT DISTINCT FROM old.\(RecordSQL.quote($0.name))"
                }
                : ["FALSE"]
            let keepUpdated = (unchanged.isEmpty ? ["TRUE"] : unchanged).joined(separator: " AND ")
            try connection.execute(
                """
                UPDATE \(stagingName) SET \(RecordSQL.firstSeen) = old.\(RecordSQL.firstSeen),
                    \(RecordSQL.lastUpdated) = CASE WHEN \(keepUpdated) AND old.\(RecordSQL.deletedAt) IS NULL
                        THEN old.\(RecordSQL.lastUpdated) ELSE \(stagingName).\(RecordSQL.lastUpdated) END
                FROM \(liveName) AS old WHERE old.\(RecordSQL.primaryKey) = \(stagingName).\(RecordSQL.primaryKey)
                """)
            if marksDeleted {
                let carried = shared.map { RecordSQL.quote($0.name) }
                let bookkeeping = [
                    RecordSQL.primaryKey, RecordSQL.firstSeen, RecordSQL.lastUpdated, RecordSQL.syncRun,
                ]
                let targets = (bookkeeping + [RecordSQL.deletedAt] + carried).joined(separator: ", ")
                let sources =
                    (bookkeeping.map { "old.\($0)" } + ["COALESCE(old.\(RecordSQL.deletedAt), $1)"]
                    + carried.map { "old.\($0)" }).joined(separator: ", ")
                try connection.execute(
                    """
                    INSERT INTO \(stagingName) (\(targets)) SELECT \(sources) FROM \(liveName) AS old
                    WHERE NOT EXISTS (SELECT 1 FROM \(stagingName) AS fresh
                        WHERE fresh.\(RecordSQL.primaryKey) = old.\(RecordSQL.primaryKey))
                    """, [.timestamp(now)])
            }
        }
        // The live table's sort indexes are built once over the loaded rows, not kept up through
        // every batch.
        var indexed = staging
        for field in live.sortIndexes.keys.sorted() {
            try indexed.addSortIndex(field: field, on: connection)
        }
        try connection.execute("DROP TABLE IF EXISTS \(liveName)")
        try connection.execute("ALTER TABLE \(stagingName) RENAME TO \(liveName)")
        try connection.execute(
            "DELETE FROM source_columns WHERE source_id = $1 AND staging = $2", [.integer(live.sourceID), .bool(false)])
        try connection.execute(
            "UPDATE source_columns SET staging = $1 WHERE source_id = $2 AND staging = $3",
            [.bool(false), .integer(live.sourceID), .bool(true)])
    }

    /// How many distinct keys of `keys` belong to no record of the table that is not marked
    /// deleted: the records an upsert of them makes live.
    ///
    /// The keys go in as one JSON array, and the stored ones are found through the key's index:
    /// on PostgreSQL the list becomes an array first, so even a plan made while the table was
    /// small looks the keys up rather than reading the whole table.
    private func keysNotLive(_ keys: [String], on connection: any DatabaseConnection) throws -> Int {
        let distinct = Set(keys)
        guard !distinct.isEmpty else { return 0 }
        var json = JSONWriter(capacity: distinct.count * 12)
        json.beginArray()
        for key in distinct { json.string(key) }
        json.endArray()
        let stored =
            connection.dialect == .sqlite
            ? "IN (SELECT value FROM json_each($1))" : "= ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))"
        let live =
            try connection.queryOne(
                """
                SELECT count(*) FROM \(RecordSQL.quote(name))
                WHERE \(RecordSQL.deletedAt) IS NULL AND \(RecordSQL.primaryKey) \(stored)
                """, [.text(String(decoding: json.bytes, as: UTF8.self))])?.int(0) ?? 0
        return distinct.count - Int(live)
    }

    /// The number of records in the table that are not marked deleted; zero when it does not exist.
    func recordCount(on connection: any DatabaseConnection) throws -> Int64 {
        guard try exists(on: connection) else { return 0 }
        return try connection.queryOne(
            "SELECT count(*) FROM \(RecordSQL.quote(name)) WHERE \(RecordSQL.deletedAt) IS NULL")?.int(0) ?? 0
    }
}
