import CSQLite
import Foundation
import TestSupport
import Testing

@testable import Storage

/// The writer's WAL: written through the buffering VFS, and kept near a bounded size.
struct SQLiteWALTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-wal-\(UUID())")
    private var path: String { directory.appendingPathComponent("wal.db").path }

    private func removeDirectory() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func walSize() -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    private static func insert(_ rows: Int, bytes: Int, on connection: any DatabaseConnection) throws {
        for _ in 0..<rows {
            try connection.execute("INSERT INTO t (x) VALUES (randomblob($1))", [.integer(Int64(bytes))])
        }
    }

    /// Each commit is in the file for a connection on SQLite's default VFS as soon as it returns.
    ///
    /// Small and large commits, one whose pages spilled into the WAL before its commit, and one
    /// after a spilled transaction was rolled back. The pages reach the file in far fewer writes
    /// than SQLite made.
    @Test func commitsThroughTheBufferingVFSAreVisibleToOtherConnections() throws {
        defer { removeDirectory() }
        let database = try SQLiteDatabase(path: path, logger: testLogger)
        defer { database.close() }
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB)") }
        let reader = try SQLiteConnection(path: path, readOnly: true, busyTimeout: .seconds(5))
        func count() throws -> Int64? { try reader.queryOne("SELECT count(*) FROM t")?.int(0) }

        var expected: Int64 = 0
        for rows in [1, 10, 100, 1000] {
            try database.transaction { try Self.insert(rows, bytes: 1000, on: $0) }
            expected += Int64(rows)
            #expect(try count() == expected)
        }

        // 20 MB of rows do not fit the writer's 16 MiB cache: SQLite writes pages to the WAL
        // before the commit.
        func spilledPages(_ connection: any DatabaseConnection) -> Int32 {
            var spilled: Int32 = 0
            var highest: Int32 = 0
            let handle = (connection as? SQLiteConnection)?.handle
            #expect(sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_SPILL, &spilled, &highest, 0) == SQLITE_OK)
            return spilled
        }
        struct Abandoned: Error {}
        #expect(throws: Abandoned.self) {
            try database.transaction { connection in
                let before = spilledPages(connection)
                try Self.insert(20_000, bytes: 1000, on: connection)
                #expect(spilledPages(connection) > before)
                throw Abandoned()
            }
        }
        #expect(try count() == expected, "a rolled-back transaction stays invisible")

        try database.transaction { try Self.insert(20_000, bytes: 1000, on: $0) }
        expected += 20_000
        #expect(try count() == expected)
        try database.transaction { try Self.insert(1, bytes: 10, on: $0) }
        expected += 1
        #expect(try count() == expected)
        #expect(try reader.queryOne("PRAGMA integrity_check")?.string(0) == "ok")

        let writes = try database.write { connection in
            SQLiteWALBuffering.writes(of: try #require(connection as? SQLiteConnection))
        }
        let (received, issued) = try #require(writes)
        #expect(received > 10_000, "two writes for each of more than 5,000 pages")
        #expect(issued * 10 < received)
    }

    /// The reader's own connection opens the WAL through the default VFS, with no buffer.
    @Test func readersUseTheDefaultVFS() throws {
        defer { removeDirectory() }
        let database = try SQLiteDatabase(path: path, logger: testLogger)
        defer { database.close() }
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB)") }
        try database.read { connection in
            _ = try connection.queryOne("SELECT count(*) FROM t")
            #expect(SQLiteWALBuffering.writes(of: try #require(connection as? SQLiteConnection)) == nil)
        }
    }

    /// Under back-to-back commits the WAL stays within its limit and one transaction; after a
    /// transaction larger than the limit, the file is cut back once the WAL starts over.
    @Test func theWALStaysNearItsLimitUnderSteadyCommits() throws {
        defer { removeDirectory() }
        let limit = 400
        let database = try SQLiteDatabase(
            path: path, logger: testLogger, checkpointThreshold: 100, walLimit: Int32(limit))
        defer { database.close() }
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB)") }
        let frame = 4096 + 24
        let limitBytes = 32 + limit * frame

        // Rows of 3,000 bytes take a page each; a transaction of 40 writes about 45 pages.
        var largest = 0
        for _ in 0..<100 {
            try database.transaction { try Self.insert(40, bytes: 3000, on: $0) }
            largest = max(largest, walSize())
        }
        #expect(largest <= limitBytes + 60 * frame, "the WAL reached \(largest / frame) frames")

        try database.transaction { try Self.insert(1500, bytes: 3000, on: $0) }
        #expect(walSize() > 1500 * frame)
        for _ in 0..<5 {
            try database.transaction { try Self.insert(40, bytes: 3000, on: $0) }
        }
        #expect(walSize() <= limitBytes, "the WAL kept \(walSize() / frame) frames")
        #expect(try database.read { try $0.queryOne("SELECT count(*) FROM t")?.int(0) } == 5700)
    }
}
