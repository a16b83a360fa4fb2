import CSQLiteWAL

/// The writer's VFS: SQLite's default one, with the WAL written in large pieces.
///
/// The frames SQLite appends to the WAL reach the file in writes of up to 128 KiB instead of two
/// system calls per page. A commit's frames are all in the file before SQLite publishes the
/// commit, so readers on the default VFS see what they would without it.
enum SQLiteWALBuffering {
    /// The VFS's name for `sqlite3_open_v2`, once it is registered.
    static func vfsName() throws(DatabaseError) -> String {
        guard registration == SQLITE_OK else {
            throw DatabaseError(
                .connection, code: SQLiteResultCode.name(registration),
                message: "cannot register the SQLite VFS \(CSQLITEWAL_VFS_NAME)")
        }
        return CSQLITEWAL_VFS_NAME
    }

    private static let registration = csqlitewal_register()

    /// The writes SQLite has made to the WAL of `connection` through the VFS, and the writes that
    /// reached the file; nil when its WAL is not open through the VFS.
    static func writes(of connection: SQLiteConnection) -> (received: Int64, issued: Int64)? {
        var received: sqlite3_int64 = 0
        var issued: sqlite3_int64 = 0
        guard csqlitewal_writes(connection.handle, &received, &issued) == SQLITE_OK else { return nil }
        return (received, issued)
    }
}
