import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Storage

/// A failure the tests throw from inside closures.
struct DeliberateFailure: Error {}

@Suite("Connections, transactions and streaming")
struct ConnectionTests {
    @Test(arguments: TestStore.all)
    func transactionCommits(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { try $0.execute("CREATE TABLE notes (body TEXT NOT NULL)") }
            let inserted = try database.transaction { connection in
                try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["one"])
                    + connection.execute("INSERT INTO notes (body) VALUES ($1)", ["two"])
            }
            #expect(inserted == 2)
            let count = try database.read { try $0.queryOne("SELECT count(*) FROM notes")?.int(0) }
            #expect(count == 2)
        }
    }

    @Test(arguments: TestStore.all)
    func transactionRollsBackOnThrownError(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                try connection.execute("CREATE TABLE notes (body TEXT NOT NULL UNIQUE)")
                try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["kept"])
            }
            #expect(throws: DeliberateFailure.self) {
                try database.transaction { connection in
                    try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["lost"])
                    throw DeliberateFailure()
                }
            }
            #expect(throws: DatabaseError.self) {
                try database.transaction { connection in
                    try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["lost too"])
                    try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["kept"])
                }
            }
            let bodies = try database.read { connection in
                try connection.query("SELECT body FROM notes ORDER BY body")
                    .map { try $0.string(0) }
            }
            #expect(bodies == ["kept"])

            // The connection went back to the pool clean: the next transaction works.
            try database.transaction {
                try $0.execute("INSERT INTO notes (body) VALUES ($1)", ["after"])
            }
            let count = try database.read { try $0.queryOne("SELECT count(*) FROM notes")?.int(0) }
            #expect(count == 2)
        }
    }

    @Test(arguments: TestStore.all)
    func openTransactionIsNotHandedOn(store: TestStore) throws {
        try withTestDatabase(store, poolSize: 1) { database in
            try database.write { try $0.execute("CREATE TABLE notes (body TEXT)") }
            try database.write { connection in
                try connection.execute("BEGIN")
                try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["abandoned"])
            }
            try database.transaction {
                try $0.execute("INSERT INTO notes (body) VALUES ($1)", ["committed"])
            }
            let bodies = try database.read { connection in
                try connection.query("SELECT body FROM notes").map { try $0.string(0) }
            }
            #expect(bodies == ["committed"])
        }
    }

    @Test(arguments: TestStore.all)
    func cachedStatementsAreReused(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write {
                try $0.execute("CREATE TABLE items (n INTEGER NOT NULL, label TEXT)")
            }
            try database.transaction { connection in
                for number in 0..<500 {
                    let label: DatabaseValue =
                        number.isMultiple(of: 2) ? .text("even \(number)") : .null
                    try connection.execute(
                        "INSERT INTO items (n, label) VALUES ($1, $2)",
                        [DatabaseValue(number), label]
                    )
                }
            }
            try database.read { connection in
                for number in 0..<200 {
                    let row = try connection.queryOne(
                        "SELECT n, label FROM items WHERE n = $1", [DatabaseValue(number)]
                    )
                    #expect(try row?.int("n") == Int64(number))
                    let label = try row?.optionalString("label")
                    #expect(label == (number.isMultiple(of: 2) ? "even \(number)" : nil))
                }
            }
            // More distinct statements than the cache holds: old ones are evicted, all still run.
            try database.read { connection in
                for number in 0..<(PostgresConnection.statementCacheCapacity + 20) {
                    let row = try connection.queryOne("SELECT \(number) AS n")
                    #expect(try row?.int("n") == Int64(number))
                }
                #expect(try connection.queryOne("SELECT count(*) FROM items")?.int(0) == 500)
            }
        }
    }

    @Test(arguments: TestStore.all)
    func streamingVisitsEveryRow(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                try connection.execute(
                    "CREATE TABLE numbers (n INTEGER PRIMARY KEY, label TEXT NOT NULL)"
                )
                try connection.execute(
                    database.sql(
                        sqlite: """
                            WITH RECURSIVE series(x) AS (
                                SELECT 1 UNION ALL SELECT x + 1 FROM series WHERE x < $1
                            )
                            INSERT INTO numbers (n, label) SELECT x, 'row ' || x FROM series
                            """,
                        postgres: """
                            INSERT INTO numbers (n, label)
                            SELECT x, 'row ' || x FROM generate_series(1, $1) AS x
                            """
                    ), [10_000])
            }
            var count = 0
            var sum: Int64 = 0
            try database.read { connection in
                try connection.query("SELECT n, label FROM numbers ORDER BY n", []) { row in
                    count += 1
                    sum += try row.int("n")
                    #expect(try row.string(1) == "row \(count)")
                }
            }
            #expect(count == 10_000)
            #expect(sum == 50_005_000)
        }
    }

    @Test(arguments: TestStore.all)
    func streamingStopsOnThrowAndConnectionStaysUsable(store: TestStore) throws {
        try withTestDatabase(store, poolSize: 1) { database in
            try database.write { connection in
                try connection.execute("CREATE TABLE numbers (n INTEGER PRIMARY KEY)")
                try connection.execute(
                    database.sql(
                        sqlite: """
                            WITH RECURSIVE series(x) AS (
                                SELECT 1 UNION ALL SELECT x + 1 FROM series WHERE x < 5000
                            )
                            INSERT INTO numbers (n) SELECT x FROM series
                            """,
                        postgres: "INSERT INTO numbers (n) SELECT x FROM generate_series(1, 5000) AS x"
                    ))
            }
            var seen = 0
            try database.read { connection in
                #expect(throws: DeliberateFailure.self) {
                    try connection.query("SELECT n FROM numbers ORDER BY n", []) { _ in
                        seen += 1
                        if seen == 100 { throw DeliberateFailure() }
                    }
                }
                let count = try connection.queryOne("SELECT count(*) FROM numbers")?.int(0)
                #expect(count == 5000)
            }
            #expect(seen == 100)
            #expect(database.poolStatistics.discarded == 0)
        }
    }

    @Test(arguments: TestStore.all)
    func multipleStatementsNeedAScript(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                #expect(throws: DatabaseError.self) {
                    try connection.execute("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER)")
                }
                try connection.executeScript(
                    """
                    CREATE TABLE a (x INTEGER);
                    CREATE TABLE b (y INTEGER);
                    INSERT INTO a (x) VALUES (1);
                    """)
                #expect(try connection.queryOne("SELECT x FROM a")?.int(0) == 1)
                try connection.executeScript("")
                let failure = #expect(throws: DatabaseError.self) {
                    try connection.executeScript(
                        "INSERT INTO b (y) VALUES (2); SELECT * FROM missing;"
                    )
                }
                #expect(failure?.code == (database.dialect == .sqlite ? "SQLITE_ERROR" : "42P01"))
            }
        }
    }

    @Test(arguments: TestStore.all)
    func readersSeeConsistentSnapshotsWhileWriterCommits(store: TestStore) throws {
        try withTestDatabase(store, poolSize: 3) { database in
            try database.write { connection in
                try connection.executeScript(
                    """
                    CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
                    INSERT INTO accounts (id, balance) VALUES (1, 1000), (2, 0);
                    """)
            }
            let failures = Mutex<[String]>([])
            let sums = Mutex<Set<Int64>>([])
            let group = DispatchGroup()
            let transfers = 300
            let readsPerReader = 300

            DispatchQueue.global().async(group: group) {
                do {
                    for _ in 0..<transfers {
                        try database.transaction { connection in
                            let move = "UPDATE accounts SET balance = balance + $1 WHERE id = $2"
                            try connection.execute(move, [-1, 1])
                            try connection.execute(move, [1, 2])
                        }
                    }
                } catch {
                    failures.withLock { $0.append("writer: \(error)") }
                }
            }
            for reader in 0..<3 {
                DispatchQueue.global().async(group: group) {
                    do {
                        for _ in 0..<readsPerReader {
                            let sum = try database.read { connection in
                                try connection.queryOne("SELECT sum(balance) FROM accounts")?.int(0)
                            }
                            sums.withLock { _ = $0.insert(sum ?? -1) }
                        }
                    } catch {
                        failures.withLock { $0.append("reader \(reader): \(error)") }
                    }
                }
            }
            group.wait()

            #expect(failures.withLock { $0 } == [])
            #expect(sums.withLock { $0 } == [1000])
            let balance = try database.read {
                try $0.queryOne("SELECT balance FROM accounts WHERE id = 2")?.int(0)
            }
            #expect(balance == Int64(transfers))
        }
    }

    @Test(arguments: TestStore.all)
    func boundTextsKeepTheirPlacesAcrossRowsAndReuse(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write {
                try $0.execute("CREATE TABLE pairs (a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER, k INTEGER)")
            }
            let texts = ["", "x", "tab\there", "Grüße 👋🏽", String(repeating: "long ", count: 400)]
            let insert = "INSERT INTO pairs (a, b, n, k) VALUES ($1, $2, $3, 0), ($2, $1, $3, 1), ($1, $1, $3, 2)"
            for (index, text) in texts.enumerated() {
                let other = texts[(index + 1) % texts.count]
                try database.write { try $0.execute(insert, [.text(text), .text(other), .integer(Int64(index))]) }
                // A refused binding leaves the cached statement usable for the next execution.
                #expect(throws: DatabaseError.self) {
                    try database.write { try $0.execute(insert, [.text(text)]) }
                }
            }
            let rows = try database.read { connection in
                try connection.query("SELECT a, b, n FROM pairs ORDER BY n, k").map {
                    [try $0.string(0), try $0.string(1), String(try $0.int(2))]
                }
            }
            let expected = texts.enumerated().flatMap { index, text in
                let other = texts[(index + 1) % texts.count]
                return [[text, other, String(index)], [other, text, String(index)], [text, text, String(index)]]
            }
            #expect(rows == expected)
        }
    }

    @Test func sqliteUsesWALWithForeignKeysAndReadOnlyReaders() throws {
        try withTestDatabase(.sqlite) { database in
            let mode = try database.read { try $0.queryOne("PRAGMA journal_mode")?.string(0) }
            #expect(mode == "wal")
            let foreignKeys = try database.write { try $0.queryOne("PRAGMA foreign_keys")?.int(0) }
            #expect(foreignKeys == 1)
            let synchronous = try database.write { try $0.queryOne("PRAGMA synchronous")?.int(0) }
            #expect(synchronous == 1)
            let cache = try database.write { try $0.queryOne("PRAGMA cache_size")?.int(0) }
            #expect(cache == -16 * 1024)

            try database.write { try $0.execute("CREATE TABLE t (x INTEGER)") }
            let refused = #expect(throws: DatabaseError.self) {
                try database.read { try $0.execute("INSERT INTO t (x) VALUES (1)") }
            }
            #expect(refused?.code?.hasPrefix("SQLITE_READONLY") == true)
        }
    }

    /// Commits never copy the WAL back themselves; the checkpointer does, beside the writer, and
    /// the last connection to close leaves no WAL behind.
    @Test func sqliteCheckpointsOutsideCommits() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-wal-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wal.db").path
        let database = try SQLiteDatabase(path: path, logger: testLogger)
        let automatic = try database.write { try $0.queryOne("PRAGMA wal_autocheckpoint")?.int(0) }
        #expect(automatic == 0)

        func size(_ file: String) -> Int {
            (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        }
        try database.write { try $0.execute("CREATE TABLE t (x TEXT)") }
        let row = String(repeating: "x", count: 4000)
        for _ in 0..<3 {
            try database.transaction { connection in
                for _ in 0..<600 { try connection.execute("INSERT INTO t (x) VALUES ($1)", [.text(row)]) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while size(path) < 1800 * 4096, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(size(path) >= 1800 * 4096, "the WAL was not copied into the database file")
        #expect(try database.read { try $0.queryOne("SELECT count(*) FROM t")?.int(0) } == 1800)

        database.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let reopened = try SQLiteDatabase(path: path, logger: testLogger)
        #expect(try reopened.read { try $0.queryOne("SELECT count(*) FROM t")?.int(0) } == 1800)
        reopened.close()
    }

    /// A checkpointer that cannot checkpoint hands the work back to the writer's commits.
    @Test func failedCheckpointsFallBackToTheWriter() {
        let checkpointer = SQLiteCheckpointer(
            path: "/nonexistent-\(UUID())/wal.db", busyTimeout: .seconds(1), logger: testLogger)
        defer { checkpointer.close() }
        #expect(!checkpointer.walCommitted(pages: 10), "below the threshold nothing happens")
        #expect(!checkpointer.walCommitted(pages: 2000), "the first checkpoint is scheduled")
        let deadline = ContinuousClock.now + .seconds(10)
        var handedBack = false
        while !handedBack, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            handedBack = checkpointer.walCommitted(pages: 2000)
        }
        #expect(handedBack)
    }

    @Test func checkpointsThatFindTheFileBusyAreTriedAgainLater() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-wal-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("wal.db").path
        // Another connection takes the file for itself: in WAL mode with exclusive locking, its
        // first write keeps an exclusive lock until it closes.
        var holder: SQLiteConnection? = try SQLiteConnection(path: path, readOnly: false, busyTimeout: .seconds(1))
        try holder?.executeScript(
            "PRAGMA journal_mode = WAL; PRAGMA locking_mode = EXCLUSIVE; CREATE TABLE t (x); INSERT INTO t VALUES (1);")

        let checkpointer = SQLiteCheckpointer(path: path, busyTimeout: .milliseconds(50), logger: testLogger)
        defer { checkpointer.close() }
        #expect(!checkpointer.walCommitted(pages: 2000), "the first checkpoint is scheduled")
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            #expect(!checkpointer.walCommitted(pages: 2000), "a busy file is not a failed checkpoint")
        }

        holder = nil
        let settled = ContinuousClock.now + .milliseconds(500)
        while ContinuousClock.now < settled {
            Thread.sleep(forTimeInterval: 0.01)
            #expect(!checkpointer.walCommitted(pages: 2000), "checkpoints run once the file is free")
        }
    }

    @Test func sqliteNestedUseOfOneStatementGetsItsOwnCopy() throws {
        try withTestDatabase(.sqlite) { database in
            try database.write { connection in
                try connection.executeScript(
                    "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);"
                )
                var pairs: [[Int64]] = []
                try connection.query("SELECT x FROM t ORDER BY x", []) { outer in
                    try connection.query("SELECT x FROM t ORDER BY x", []) { inner in
                        pairs.append([try outer.int(0), try inner.int(0)])
                    }
                }
                #expect(pairs.count == 9)
                #expect(pairs.last == [3, 3])
            }
        }
    }
}
