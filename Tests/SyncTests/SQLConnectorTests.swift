import Foundation
import Storage
import TestSupport
import Testing

@testable import Sync

@Suite("SQL connectors")
struct SQLConnectorTests {
    let directory: TemporaryImportDirectory

    init() throws {
        directory = try TemporaryImportDirectory()
    }

    // MARK: - SQLite

    /// Creates `name` in the import directory with `script`, in WAL or rollback-journal mode.
    @discardableResult
    private func sqliteSource(_ name: String, wal: Bool = false, _ script: String) throws -> String {
        let path = directory.path + "/" + name
        let database = try SQLiteDatabase(path: path, readers: 1, logger: testLogger)
        try database.write { connection in
            try connection.executeScript(script)
            if !wal { try connection.execute("PRAGMA journal_mode = DELETE") }
        }
        database.close()
        return path
    }

    private static let shop = """
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, photo BLOB, note TEXT);
        INSERT INTO items VALUES (1, 'Lamp', 12.5, x'000102ff', NULL), (2, 'Desk', 240, NULL, 'oak'),
            (3, 'Chair', 80.25, NULL, NULL), (4, 'Rug', 99.99, NULL, 'wool'), (5, 'Shelf', 45, NULL, NULL);
        CREATE TABLE events (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, at TEXT NOT NULL);
        INSERT INTO events VALUES (1, 1, '2024-05-01T10:00:00.000000Z'), (2, 2, '2024-05-01T11:00:00.000000Z'),
            (3, 2, '2024-05-01T11:00:00.000000Z'), (4, 2, '2024-05-01T11:00:00.000000Z'),
            (5, 3, '2024-05-02T09:30:00.000000Z'), (6, 4, '2024-05-03T00:00:00.000000Z'),
            (7, 5, '2024-05-04T00:00:00.000000Z');
        """

    @Test("SQLite: a table is read whole in batches, blobs as base64, with no position to resume from")
    func sqliteFullRead() throws {
        try sqliteSource("shop.db", Self.shop)
        let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .table("items")))
        let delivered = try deliveries(of: connector, context: directory.context(batchSize: 2))

        #expect(delivered.map(\.batch.count) == [2, 2, 1])
        #expect(delivered.allSatisfy { $0.checkpoint.position == nil })
        #expect(delivered[0].batch.fieldNames == ["id", "name", "price", "photo", "note"])
        #expect(delivered[0].records[0] == [.integer(1), .text("Lamp"), .real(12.5), .text("AAEC/w=="), .null])
        #expect(delivered.flatMap(\.records).map { $0[0] } == (1...5).map { .integer($0) })
    }

    @Test("SQLite: a query with trailing semicolons and a trailing comment is read as a subquery")
    func sqliteQuery() throws {
        try sqliteSource("shop.db", Self.shop)
        let query = "SELECT id, upper(name) AS name FROM items WHERE id > 3 ORDER BY id -- newest\n ;; "
        let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .query(query)))
        let records = try deliveries(of: connector, context: directory.context()).flatMap(\.records)
        #expect(records == [[.integer(4), .text("RUG")], [.integer(5), .text("SHELF")]])
        #expect(try connector.checkConnection(context: directory.context()) == "SQLite shop.db: query, 2 columns")
    }

    @Test("SQLite: incremental reads order by the cursor and resume at the last value, equal values included")
    func sqliteIncremental() throws {
        try sqliteSource("shop.db", Self.shop)
        let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .table("events")))
        let context = directory.context(batchSize: 3, cursorField: "seq")
        let delivered = try deliveries(of: connector, from: SyncCheckpoint(since: "1"), context: context)
        #expect(delivered.map(\.batch.count) == [3, 3, 1])
        #expect(delivered.flatMap(\.records).map { $0[1] } == [1, 2, 2, 2, 3, 4, 5].map(RecordValue.integer))
        #expect(delivered.map(\.checkpoint) == ["2", "4", "5"].map { SyncCheckpoint(since: "1", position: $0) })

        // The first batch ended inside the run of seq = 2; resuming reads all of that run again.
        let resumed = try deliveries(of: connector, from: delivered[0].checkpoint, context: context)
        #expect(resumed.flatMap(\.records).map { $0[1] } == [2, 2, 2, 3, 4, 5].map(RecordValue.integer))

        let since = try deliveries(of: connector, from: SyncCheckpoint(since: "3"), context: context)
        #expect(since.flatMap(\.records).map { $0[0] } == [5, 6, 7].map(RecordValue.integer))

        let byTime = try deliveries(
            of: connector, from: SyncCheckpoint(since: "2024-05-02T00:00:00Z"),
            context: directory.context(batchSize: 3, cursorField: "at"))
        #expect(byTime.flatMap(\.records).map { $0[0] } == [5, 6, 7].map(RecordValue.integer))
        #expect(byTime.last?.checkpoint.position == "2024-05-04T00:00:00.000000Z")
    }

    @Test("SQLite: a computed cursor column compares numbers as numbers")
    func sqliteComputedCursor() throws {
        try sqliteSource("shop.db", Self.shop)
        let query = "SELECT id, seq * 10 AS score FROM events"
        let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .query(query)))
        let context = directory.context(cursorField: "score")
        let records = try deliveries(of: connector, from: SyncCheckpoint(since: "30"), context: context)
        #expect(records.flatMap(\.records).map { $0[0] } == [5, 6, 7].map(RecordValue.integer))
    }

    @Test("SQLite: the check names the selection and counts columns, even of an empty table")
    func sqliteCheck() throws {
        try sqliteSource("shop.db", Self.shop + "CREATE TABLE empty (a INTEGER, \"b\"\"c\" TEXT);")
        let items = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .table("items")))
        #expect(try items.checkConnection(context: directory.context()) == "SQLite shop.db: table items, 5 columns")
        let empty = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .table("empty")))
        #expect(try empty.checkConnection(context: directory.context()) == "SQLite shop.db: table empty, 2 columns")
        #expect(try deliveries(of: empty, context: directory.context()).isEmpty)

        let missing = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .table("nothing")))
        let error = syncError { try missing.checkConnection(context: directory.context()) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("no such table") == true)
        #expect(error?.message.contains(directory.path) == false)
    }

    @Test(
        "SQLite: the source file is never modified, and writes through crafted queries fail", arguments: [false, true])
    func sqliteNeverModified(wal: Bool) throws {
        let path = try sqliteSource("shop.db", wal: wal, Self.shop)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let context = directory.context(batchSize: 2)

        for selection: SQLSelection in [.table("items"), .query("SELECT * FROM events")] {
            let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: selection))
            _ = try connector.checkConnection(context: context)
            _ = try deliveries(of: connector, context: context)
        }
        let crafted = [
            "SELECT 1; DELETE FROM items", "DELETE FROM items RETURNING *", "SELECT 1) AS s; DROP TABLE items; --",
            "SELECT * FROM items WHERE id IN (SELECT id FROM items); UPDATE items SET name = 'x'",
            "WITH gone AS (DELETE FROM items RETURNING *) SELECT * FROM gone",
        ]
        for query in crafted {
            let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .query(query)))
            let error = syncError { try deliveries(of: connector, context: context) }
            #expect(error?.kind == .invalidDefinition || error?.kind == .configuration, "\(query)")
        }
        #expect(throws: DatabaseError.self) {
            try SQLiteDatabase.withReadOnlyConnection(toFileAt: path) { try $0.execute("DELETE FROM items") }
        }
        #expect(throws: DatabaseError.self) {
            try SQLiteDatabase.withReadOnlyConnection(toFileAt: path) {
                try $0.executeScript("PRAGMA query_only = OFF; DELETE FROM items")
            }
        }

        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
        let connector = SQLiteConnector(options: SQLiteSourceOptions(path: "shop.db", selection: .table("items")))
        #expect(try deliveries(of: connector, context: context).flatMap(\.records).count == 5)
    }

    @Test("SQLite: a missing file is refused and not created; paths outside the import directory are refused")
    func sqlitePaths() throws {
        let missing = SQLiteConnector(options: SQLiteSourceOptions(path: "missing.db", selection: .table("items")))
        let error = syncError { try missing.checkConnection(context: directory.context()) }
        #expect(error?.kind == .configuration)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/missing.db"))

        let outside = try TemporaryImportDirectory()
        try outside.write("other.db", "")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/link.db", withDestinationPath: outside.path + "/other.db")
        for path in [outside.path + "/other.db", "../other.db", "link.db"] {
            let connector = SQLiteConnector(options: SQLiteSourceOptions(path: path, selection: .table("items")))
            #expect(syncError { try connector.checkConnection(context: directory.context()) }?.kind == .configuration)
        }
    }

    @Test("Statements quote identifiers and refuse a second statement")
    func statements() throws {
        let table = try SQLSourceStatements(selection: .table("Sales.order\"s"), field: "postgres.query")
        #expect(table.full == "SELECT * FROM \"Sales\".\"order\"\"s\" AS source")
        let incremental = table.incremental(cursorField: "up\"dated", hasLowerBound: true)
        #expect(incremental.hasSuffix(" AS source WHERE \"up\"\"dated\" >= $1 ORDER BY \"up\"\"dated\""))
        let query = try SQLSourceStatements(selection: .query("SELECT 1 ;\n"), field: "sqlite.query")
        #expect(query.full == "SELECT * FROM (\nSELECT 1\n) AS source")

        for text in ["SELECT 1; SELECT 2", "SELECT ';'", "  ;  "] {
            let error = syncError { try SQLSourceStatements(selection: .query(text), field: "sqlite.query") }
            #expect(error?.kind == .invalidDefinition, "\(text)")
            #expect(error?.fields.keys.contains("sqlite.query") == true)
        }
    }

    // MARK: - PostgreSQL

    private static let urlVariable = "SYNCLINE_SOURCE_PG_URL"

    /// Runs `body` with a fresh PostgreSQL database holding `script`, and its URL.
    private func withPostgresSource<T>(_ script: String, _ body: (String) throws -> T) throws -> T {
        try withPostgresTestDatabase { url in
            let database = try PostgresDatabase(url: url, maxConnections: 1, logger: testLogger)
            defer { database.close() }
            try database.write { try $0.executeScript(script) }
            return try body(url)
        }
    }

    private func postgres(_ selection: SQLSelection) -> PostgresConnector {
        PostgresConnector(options: PostgresSourceOptions(urlVariable: Self.urlVariable, selection: selection))
    }

    private func postgresContext(
        _ url: String, batchSize: Int = 1000, cursorField: String? = nil
    ) -> ConnectorContext {
        directory.context(batchSize: batchSize, cursorField: cursorField, environment: [Self.urlVariable: url])
    }

    private static let orders = """
        CREATE SCHEMA "Sales";
        CREATE TABLE "Sales"."order""s" (
            id bigint PRIMARY KEY, amount numeric(10, 2), ratio double precision, paid boolean, note text,
            placed timestamptz, local timestamp, day date, photo bytea, details jsonb, raw json, updated bigint
        );
        INSERT INTO "Sales"."order""s" VALUES
            (1, 12.50, 0.25, true, 'first', '2024-05-01 10:00:00.123456+02', '2024-05-01 10:00:00', '2024-05-01',
             '\\x0001ff', '{"tags": ["a", "b"], "n": 1}', '{"x" : 1}', 10),
            (2, NULL, NULL, false, NULL, '2024-05-01 09:00:00+00', NULL, NULL, NULL, NULL, NULL, 20),
            (3, 7, 1e300, NULL, 'third', '2024-05-01 09:00:00+00', NULL, NULL, NULL, '[]', NULL, 20),
            (4, 1, 1, NULL, 'fourth', '2024-05-01 09:00:00+00', NULL, NULL, NULL, NULL, NULL, 20),
            (5, 2, 2, NULL, 'fifth', '2024-05-02 00:00:00+00', NULL, NULL, NULL, NULL, NULL, 30),
            (6, 3, 3, NULL, 'sixth', '2024-05-03 00:00:00.5+00', NULL, NULL, NULL, NULL, NULL, 40);
        CREATE SEQUENCE counter;
        """

    @Test(
        "PostgreSQL: a table is read whole with every type converted",
        .enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func postgresFullRead() throws {
        try withPostgresSource(Self.orders) { url in
            let connector = postgres(.table("Sales.order\"s"))
            let delivered = try deliveries(of: connector, context: postgresContext(url, batchSize: 4))
            #expect(delivered.map(\.batch.count) == [4, 2])
            #expect(delivered.allSatisfy { $0.checkpoint.position == nil })
            let records = Dictionary(uniqueKeysWithValues: delivered.flatMap(\.records).map { ($0[0], $0) })
            #expect(
                delivered[0].batch.fieldNames == [
                    "id", "amount", "ratio", "paid", "note", "placed", "local", "day", "photo", "details", "raw",
                    "updated",
                ])
            #expect(
                records[.integer(1)] == [
                    .integer(1), .real(12.5), .real(0.25), .bool(true), .text("first"),
                    .text("2024-05-01T08:00:00.123456Z"), .text("2024-05-01T10:00:00.000000Z"), .text("2024-05-01"),
                    .text("AAH/"), .json("{\"n\": 1, \"tags\": [\"a\", \"b\"]}"), .json("{\"x\" : 1}"), .integer(10),
                ])
            #expect(records[.integer(2)]?.filter(\.isNull).count == 8)
            #expect(
                try connector.checkConnection(context: postgresContext(url))
                    == "PostgreSQL: table Sales.order\"s, 12 columns")
        }
    }

    @Test(
        "PostgreSQL: incremental reads by a timestamp resume at the last value, equal values at a batch boundary",
        .enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func postgresIncrementalTimestamps() throws {
        try withPostgresSource(Self.orders) { url in
            let connector = postgres(.query("SELECT id, placed FROM \"Sales\".\"order\"\"s\""))
            let context = postgresContext(url, batchSize: 2, cursorField: "placed")
            let delivered = try deliveries(of: connector, context: context)
            let ids = delivered.map { $0.records.map { $0[0] } }
            #expect(ids.count == 3)
            #expect(ids.first?.first == .integer(1))
            #expect(Set(ids[0] + ids[1]) == Set([1, 2, 3, 4].map(RecordValue.integer)))
            #expect(ids[2] == [5, 6].map(RecordValue.integer))
            #expect(
                delivered.map(\.checkpoint.position) == [
                    "2024-05-01T09:00:00.000000Z", "2024-05-01T09:00:00.000000Z", "2024-05-03T00:00:00.500000Z",
                ])

            // The first batch ended inside the run of equal timestamps; resuming reads the whole run again.
            let resumed = try deliveries(of: connector, from: delivered[0].checkpoint, context: context)
            #expect(resumed.flatMap(\.records).count == 5)
            #expect(Set(resumed.flatMap(\.records).map { $0[0] }) == Set([2, 3, 4, 5, 6].map(RecordValue.integer)))

            let since = try deliveries(
                of: connector, from: SyncCheckpoint(since: "2024-05-01T23:00:00-01:00"), context: context)
            #expect(since.flatMap(\.records).map { $0[0] } == [5, 6].map(RecordValue.integer))
            #expect(
                since.last?.checkpoint
                    == SyncCheckpoint(since: "2024-05-01T23:00:00-01:00", position: "2024-05-03T00:00:00.500000Z"))
        }
    }

    @Test(
        "PostgreSQL: incremental reads by an integer compare numbers, not text",
        .enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func postgresIncrementalIntegers() throws {
        try withPostgresSource(Self.orders) { url in
            let connector = postgres(.table("Sales.order\"s"))
            let context = postgresContext(url, batchSize: 2, cursorField: "updated")
            let delivered = try deliveries(of: connector, context: context)
            #expect(delivered.map(\.checkpoint.position) == ["20", "20", "40"])
            let resumed = try deliveries(of: connector, from: delivered[0].checkpoint, context: context)
            #expect(resumed.flatMap(\.records).count == 5)
            let since = try deliveries(of: connector, from: SyncCheckpoint(since: "9"), context: context)
            #expect(since.flatMap(\.records).count == 6)
            let later = try deliveries(of: connector, from: SyncCheckpoint(since: "30"), context: context)
            #expect(later.flatMap(\.records).map { $0[0] } == [5, 6].map(RecordValue.integer))
        }
    }

    @Test(
        "PostgreSQL: reads run in a read-only transaction, so crafted queries cannot write",
        .enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func postgresReadOnly() throws {
        try withPostgresSource(Self.orders) { url in
            let context = postgresContext(url)
            let crafted = [
                "SELECT nextval('counter')", "SELECT 1; DROP TABLE \"Sales\".\"order\"\"s\"",
                "WITH gone AS (DELETE FROM \"Sales\".\"order\"\"s\" RETURNING *) SELECT * FROM gone",
                "SELECT set_config('transaction_read_only', 'off', true), nextval('counter')",
            ]
            for query in crafted {
                let error = syncError { try deliveries(of: postgres(.query(query)), context: context) }
                #expect(error?.kind == .invalidDefinition || error?.kind == .configuration, "\(query)")
            }
            let database = try PostgresDatabase(url: url, maxConnections: 1, logger: testLogger)
            defer { database.close() }
            #expect(try database.read { try $0.queryOne("SELECT count(*) FROM \"Sales\".\"order\"\"s\"")?.int(0) } == 6)
            #expect(
                try database.read { try $0.queryOne("SELECT last_value, is_called FROM counter")?.bool(1) } == false)
        }
    }

    @Test(
        "PostgreSQL: a wrong password, a bad URL or an unset variable fail without revealing the secret",
        .enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func postgresSecretsStayHidden() throws {
        let server = try #require(URLComponents(string: try PostgresTestServer.requireURL()))
        let admin = try PostgresDatabase(
            url: try PostgresTestServer.requireURL(), maxConnections: 1, logger: testLogger)
        defer { admin.close() }
        let password = "Right-horse-battery-\(UUID().uuidString.prefix(8))"
        try admin.write { connection in
            try connection.executeScript(
                """
                DO $$ BEGIN CREATE ROLE syncline_password_user LOGIN;
                EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                ALTER ROLE syncline_password_user PASSWORD '\(password)';
                """)
        }
        func url(user: String, password: String, port: String) -> String {
            "postgres://\(user):\(password)@\(server.host ?? "127.0.0.1"):\(port)/postgres"
        }
        let port = String(server.port ?? 5432)
        let connector = postgres(.query("SELECT 1 AS one"))
        let right = postgresContext(url(user: "syncline_password_user", password: password, port: port))
        #expect(try connector.checkConnection(context: right) == "PostgreSQL: query, 1 column")

        let wrongPassword = "Wrong-staple-\(UUID().uuidString.prefix(8))"
        let cases = [
            url(user: "syncline_password_user", password: wrongPassword, port: port),
            url(user: "syncline_password_user", password: wrongPassword, port: "notaport"),
            url(user: "syncline_password_user", password: wrongPassword, port: "1"),
        ]
        for text in cases {
            let error = syncError { try connector.checkConnection(context: postgresContext(text)) }
            #expect(error?.message.contains(wrongPassword) == false, "\(error?.message ?? "")")
            #expect(error?.message.contains(text) == false)
            #expect(error?.kind == .connection || error?.kind == .configuration)
            let readError = syncError { try deliveries(of: connector, context: postgresContext(text)) }
            #expect(readError?.message.contains(wrongPassword) == false)
        }
        let refused = syncError { try connector.checkConnection(context: postgresContext(cases[0])) }
        #expect(refused?.kind == .connection)
        #expect(refused?.message.contains("password authentication failed") == true)

        let unset = syncError { try connector.checkConnection(context: directory.context()) }
        #expect(unset?.kind == .configuration)
        #expect(unset?.message == "The environment variable \(Self.urlVariable) is not set.")
    }
}
