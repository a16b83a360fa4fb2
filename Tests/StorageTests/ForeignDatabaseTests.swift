import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("Databases Syncline reads but does not own")
struct ForeignDatabaseTests {
    @Test("A read-only SQLite connection reads, refuses every write and never creates the file")
    func readOnlySQLite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-foreign-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("source.db").path
        let database = try SQLiteDatabase(path: path, readers: 1, logger: testLogger)
        try database.write { connection in
            try connection.executeScript("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2);")
            try connection.execute("PRAGMA journal_mode = DELETE")
        }
        database.close()

        let count = try SQLiteDatabase.withReadOnlyConnection(toFileAt: path) { connection in
            try connection.queryOne("SELECT count(*) FROM t")?.int(0)
        }
        #expect(count == 2)
        for statement in ["DELETE FROM t", "PRAGMA journal_mode = WAL", "CREATE TABLE u (b)"] {
            let error = #expect(throws: DatabaseError.self) {
                try SQLiteDatabase.withReadOnlyConnection(toFileAt: path) { try $0.executeScript(statement) }
            }
            #expect(error?.code?.hasPrefix("SQLITE_READONLY") == true, "\(statement): \(String(describing: error))")
        }

        let missing = directory.appendingPathComponent("missing.db").path
        let error = #expect(throws: DatabaseError.self) {
            try SQLiteDatabase.withReadOnlyConnection(toFileAt: missing) { _ in }
        }
        #expect(error?.kind == .connection)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test(
        "Row views tell json and jsonb columns from text",
        .enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func jsonColumns() throws {
        try withTestDatabase(.postgres) { database in
            var flags: [Bool] = []
            try database.read { connection in
                try connection.query("SELECT '{}'::json, '[1]'::jsonb, 'x'::text, 1", []) { (row: RowView) in
                    flags = (0..<row.count).map(row.holdsJSON(at:))
                }
            }
            #expect(flags == [true, true, false, false])
        }
    }
}
