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

    /// The bytes of a frame of a 4 KiB page in the WAL.
    private static let frameBytes = 4096 + 24

    /// Opens the database with a table `t` of blobs.
    private func openDatabase(
        checkpointThreshold: Int32 = SQLiteCheckpointer.defaultThreshold,
        walLimit: Int32 = SQLiteCheckpointer.defaultLimit
    ) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(
            path: path, logger: testLogger, checkpointThreshold: checkpointThreshold, walLimit: walLimit)
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB)") }
        return database
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
    /// Small and large commits, one whose pages spilled into the WAL before its commit (and whose
    /// files, copied as they are at once, hold it), and one after a spilled transaction was
    /// rolled back.
    @Test func commitsThroughTheBufferingVFSAreVisibleToOtherConnections() throws {
        defer { removeDirectory() }
        let database = try openDatabase()
        defer { database.close() }
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

        // Pages written to the WAL before the commit and changed again after are written again
        // in place at the commit, and SQLite then rewrites the checksums of every frame after them.
        try database.transaction { connection in
            let before = spilledPages(connection)
            try Self.insert(20_000, bytes: 1000, on: connection)
            #expect(spilledPages(connection) > before)
            try connection.execute("UPDATE t SET x = zeroblob(1000) WHERE id % 50 = 0")
        }
        expected += 20_000
        #expect(try count() == expected)
        // The files as a crash right now would leave them: SQLite rebuilds the WAL index from the
        // WAL, checking every frame's checksum, and finds the commit.
        let copy = directory.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let copyPath = copy.appendingPathComponent("wal.db").path
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: copyPath + suffix)
        }
        let recovered = try SQLiteConnection(path: copyPath, readOnly: false, busyTimeout: .seconds(5))
        #expect(try recovered.queryOne("SELECT count(*) FROM t")?.int(0) == expected)
        try database.transaction { try Self.insert(1, bytes: 10, on: $0) }
        expected += 1
        #expect(try count() == expected)
        #expect(try reader.queryOne("PRAGMA integrity_check")?.string(0) == "ok")
    }

    /// Whatever the buffer holds when a commit's last frame arrives, the whole commit is in the
    /// file before the commit returns.
    ///
    /// A reader keeps its snapshot from the start, so the WAL never starts over and the 90
    /// transactions of 1 to 90 pages follow each other in one file. After each, the WAL file reaches
    /// the end of the last frame the WAL index counts as committed, and at the end a connection on
    /// the default VFS reads every row and finds the file intact. The pages reach the file in far
    /// fewer writes than SQLite made.
    @Test func everyCommittedFrameIsInTheFile() throws {
        defer { removeDirectory() }
        let database = try openDatabase()
        defer { database.close() }
        let holder = try SQLiteConnection(path: path, readOnly: true, busyTimeout: .seconds(5))
        try holder.execute("BEGIN")
        #expect(try holder.queryOne("SELECT count(*) FROM t")?.int(0) == 0)
        let checkpointer = try SQLiteConnection(path: path, readOnly: false, busyTimeout: .seconds(5))
        #expect(try checkpointer.queryOne("PRAGMA journal_mode")?.string(0) == "wal")

        let frame = Self.frameBytes
        for rows in 1...90 {
            try database.transaction { try Self.insert(rows, bytes: 3000, on: $0) }
            var walFrames: Int32 = -1
            var copied: Int32 = -1
            let status = sqlite3_wal_checkpoint_v2(
                checkpointer.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied)
            #expect(status == SQLITE_OK || status == SQLITE_BUSY, "status \(status) after \(rows) rows")
            if status == SQLITE_OK {
                #expect(walSize() >= 32 + Int(walFrames) * frame, "after \(rows) rows, \(walFrames) frames")
            }
        }
        try holder.execute("COMMIT")
        #expect(try checkpointer.queryOne("SELECT count(*) FROM t")?.int(0) == 90 * 91 / 2)
        #expect(try checkpointer.queryOne("PRAGMA integrity_check")?.string(0) == "ok")

        let writes = try database.write { connection in
            SQLiteWALBuffering.writes(of: try #require(connection as? SQLiteConnection))
        }
        let (received, issued) = try #require(writes)
        #expect(received > 8000, "two writes for each of more than 4,000 pages")
        #expect(issued * 10 < received)
    }

    /// The reader's own connection opens the WAL through the default VFS, with no buffer.
    @Test func readersUseTheDefaultVFS() throws {
        defer { removeDirectory() }
        let database = try openDatabase()
        defer { database.close() }
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
        let database = try openDatabase(checkpointThreshold: 100, walLimit: Int32(limit))
        defer { database.close() }
        let frame = Self.frameBytes
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
