extension SQLiteDatabase {
    /// Opens an SQLite file Syncline does not own read-only, for the length of `body`.
    ///
    /// `body` gets the one connection, closed when it returns. The file is opened with
    /// `SQLITE_OPEN_READONLY`, so it is never created and SQLite refuses every write
    /// (`SQLITE_READONLY`). No journal mode or other persistent setting is changed;
    /// `PRAGMA query_only` refuses writes once more, and `PRAGMA trusted_schema = OFF` keeps views
    /// and triggers of a foreign file from calling functions with side effects. A file in WAL mode
    /// may get its `-wal` and `-shm` companions created beside it, as SQLite needs them to read
    /// safely while another program writes; the database file itself is left untouched.
    ///
    /// - Parameters:
    ///   - path: The file's path; it must exist.
    ///   - busyTimeout: How long a statement waits while another program holds a lock.
    ///   - body: Runs with the connection, which must not escape.
    public static func withReadOnlyConnection<T>(
        toFileAt path: String,
        busyTimeout: Duration = .seconds(5),
        _ body: (any DatabaseConnection) throws -> T
    ) throws -> T {
        let connection = try SQLiteConnection(path: path, readOnly: true, busyTimeout: busyTimeout)
        try connection.executeScript("PRAGMA query_only = ON; PRAGMA trusted_schema = OFF;")
        return try body(connection)
    }
}
