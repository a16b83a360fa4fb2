import CSQLite

/// One `sqlite3` connection handle with its prepared-statement cache.
///
/// Opened with `SQLITE_OPEN_NOMUTEX` ("multi-thread" mode in the SQLite manual): SQLite takes no
/// lock per call, which is safe because a connection and its statements are only ever used by the
/// one thread that has borrowed it from a pool. Not `Sendable` for that reason.
final class SQLiteConnection: DatabaseConnection, PooledConnection {
    /// The most statements kept prepared per connection.
    static let statementCacheCapacity = 64

    let handle: OpaquePointer
    private var statements: [StatementKey: SQLiteStatement] = [:]
    private var useCounter: UInt64 = 0
    /// The checkpointer the WAL hook reports to, kept for as long as the hook can fire.
    private var checkpointer: SQLiteCheckpointer?

    var dialect: SQLDialect { .sqlite }

    /// Opens `path`, creating the file when `readOnly` is false, through the VFS named `vfs` or
    /// SQLite's default one.
    init(path: String, readOnly: Bool, busyTimeout: Duration, vfs: String? = nil) throws(DatabaseError) {
        var database: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let flags = access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &database, flags, vfs)
        guard status == SQLITE_OK, let database else {
            // Even a failed open may allocate a handle; the manual says to close it.
            let message =
                database.map { String(cString: sqlite3_errmsg($0)) }
                ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(database)
            throw DatabaseError(
                .connection,
                code: SQLiteResultCode.name(status),
                message: "cannot open SQLite database \(path): \(message)"
            )
        }
        sqlite3_extended_result_codes(database, 1)
        sqlite3_busy_timeout(database, Int32(clamping: Int(busyTimeout.seconds * 1000)))
        self.handle = database
    }

    /// Leaves checkpoints to `checkpointer`: SQLite's automatic checkpoint inside commits is
    /// replaced by a hook that reports the WAL's size after each commit.
    func checkpoint(in checkpointer: SQLiteCheckpointer) {
        self.checkpointer = checkpointer
        sqlite3_wal_hook(handle, checkpointerWALHook, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    static func error(_ status: Int32, database: OpaquePointer, sql: String?) -> DatabaseError {
        DatabaseError(
            .sqlite,
            code: SQLiteResultCode.name(status),
            message: String(cString: sqlite3_errmsg(database)),
            sql: sql
        )
    }

    func execute(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> Int {
        let statement = try checkoutStatement(sql)
        defer { checkin(statement) }
        try statement.bind(parameters, database: handle)
        let changesBefore = sqlite3_total_changes64(handle)
        while try statement.step(database: handle, parameters: parameters) {}
        // `sqlite3_changes64` keeps the count of the last INSERT, UPDATE or DELETE, so a statement
        // of another kind is recognised by leaving the total unchanged.
        guard sqlite3_total_changes64(handle) != changesBefore else { return 0 }
        return Int(sqlite3_changes64(handle))
    }

    func query(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> [Row] {
        let statement = try checkoutStatement(sql)
        defer { checkin(statement) }
        try statement.bind(parameters, database: handle)
        let columns = statement.columns()
        var rows: [Row] = []
        while try statement.step(database: handle, parameters: parameters) {
            rows.append(statement.view(columns: columns).row())
        }
        return rows
    }

    func queryOne(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> Row? {
        let statement = try checkoutStatement(sql)
        defer { checkin(statement) }
        try statement.bind(parameters, database: handle)
        guard try statement.step(database: handle, parameters: parameters) else { return nil }
        return statement.view(columns: statement.columns()).row()
    }

    func query(
        _ sql: String,
        _ parameters: [DatabaseValue],
        eachView body: (RowView) throws -> Void
    ) throws {
        let statement = try checkoutStatement(sql)
        defer { checkin(statement) }
        try statement.bind(parameters, database: handle)
        let columns = statement.columns()
        while try statement.step(database: handle, parameters: parameters) {
            try body(statement.view(columns: columns))
        }
    }

    func executeScript(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        guard status != SQLITE_OK else { return }
        let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
        sqlite3_free(message)
        throw DatabaseError(.sqlite, code: SQLiteResultCode.name(status), message: text)
    }

    func copy(into table: String, columns: [String], values: [DatabaseValue]) throws(DatabaseError) -> Int {
        throw DatabaseError(.misuse, message: "COPY is a PostgreSQL command; SQLite takes inserts")
    }

    func isUsable() -> Bool {
        true
    }

    func resetForReuse() -> Bool {
        // A borrower that left a transaction open must not hand it to the next one.
        guard sqlite3_get_autocommit(handle) != 0 else {
            return sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) == SQLITE_OK
        }
        return true
    }

    /// A prepared statement for `sql`: the cached one, or a new one added to the cache.
    ///
    /// A statement stays valid after a failed step (`sqlite3_reset` clears the error, and
    /// `sqlite3_prepare_v3` statements re-prepare themselves after a schema change), so failures
    /// do not evict. When the cached statement is already in use by an enclosing query on this
    /// connection, a private copy is prepared and finalized after use.
    private func checkoutStatement(_ sql: String) throws(DatabaseError) -> SQLiteStatement {
        useCounter += 1
        let key = StatementKey(sql)
        if let cached = statements[key] {
            guard !cached.isInUse else {
                let copy = try SQLiteStatement(sql: sql, database: handle, persistent: false)
                copy.isInUse = true
                return copy
            }
            cached.isInUse = true
            cached.lastUse = useCounter
            return cached
        }
        let statement = try SQLiteStatement(sql: sql, database: handle, persistent: true)
        if statements.count >= Self.statementCacheCapacity { evictLeastRecentlyUsed() }
        statement.isInUse = true
        statement.lastUse = useCounter
        statements[key] = statement
        return statement
    }

    private func checkin(_ statement: SQLiteStatement) {
        statement.reset()
        statement.isInUse = false
    }

    private func evictLeastRecentlyUsed() {
        let candidates = statements.filter { !$0.value.isInUse }
        let oldest = candidates.min { $0.value.lastUse < $1.value.lastUse }
        guard let oldest else { return }
        statements[oldest.key] = nil
    }
}

/// The statement cache's key: SQL text, hashed by its length and its two ends.
///
/// A multi-row insert's text runs to kilobytes, and hashing all of it on every execution cost
/// more than a thousand instructions a row; its length and ends tell statements apart nearly
/// always, and equal hashes still compare the whole text.
private struct StatementKey: Hashable {
    let sql: String

    init(_ sql: String) {
        self.sql = sql
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(sql.utf8.count)
        let hashed: Void? = sql.utf8.withContiguousStorageIfAvailable { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw.prefix(64)))
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw.suffix(64)))
        }
        if hashed == nil { hasher.combine(sql) }
    }
}
