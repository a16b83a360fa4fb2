import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("Binding and reading values")
struct ValueTests {
    /// One row of the `samples` table as the test binds it.
    struct Sample {
        var integer: Int64?
        var real: Double?
        var text: String?
        var blob: [UInt8]?
        var flag: Bool?
        var time: Date?

        var parameters: [DatabaseValue] {
            [
                DatabaseValue(integer), DatabaseValue(real), DatabaseValue(text),
                DatabaseValue(blob), DatabaseValue(flag), DatabaseValue(time),
            ]
        }
    }

    /// A little over 4 MiB of varied bytes.
    static let largeBlob: [UInt8] = (0..<(4 * 1024 * 1024 + 3)).map {
        UInt8(truncatingIfNeeded: ($0 &* 40_503) >> 5)
    }

    static let samples: [Sample] = [
        Sample(),
        Sample(
            integer: .max, real: 3.141_592_653_589_793, text: "", blob: [], flag: true,
            time: Date(timeIntervalSince1970: 1_764_790_851.123_456)
        ),
        Sample(
            integer: .min, real: -1.5e300, text: "Grüße, 世界 👋🏽 𝄞 \u{10FFFD}",
            blob: largeBlob,
            flag: false, time: Date(timeIntervalSince1970: -1_234_567_890.654_321)
        ),
        Sample(
            integer: 0, real: 0.1, text: "line\nbreak\ttab\rreturn 'quote' \"double\" \\ back",
            blob: [0, 255, 0], flag: nil, time: Date(timeIntervalSince1970: 0.000_001)
        ),
        Sample(
            integer: -1, real: .leastNonzeroMagnitude, text: String(repeating: "ß", count: 100_000)
        ),
        Sample(real: .infinity, text: "null", flag: true),
    ]

    @Test(arguments: TestStore.all)
    func everyTypeRoundTrips(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                try connection.execute(
                    database.sql(
                        sqlite: """
                            CREATE TABLE samples (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT,
                                b BLOB, f BOOLEAN, ts TEXT)
                            """,
                        postgres: """
                            CREATE TABLE samples (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION,
                                t TEXT, b BYTEA, f BOOLEAN, ts TIMESTAMPTZ)
                            """
                    ))
                for (id, sample) in Self.samples.enumerated() {
                    let changed = try connection.execute(
                        """
                        INSERT INTO samples (id, i, r, t, b, f, ts)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        """,
                        [DatabaseValue(id)] + sample.parameters
                    )
                    #expect(changed == 1)
                }
            }

            let rows = try database.read { try $0.query("SELECT * FROM samples ORDER BY id") }
            try #require(rows.count == Self.samples.count)
            for (row, sample) in zip(rows, Self.samples) {
                #expect(row.columnNames == ["id", "i", "r", "t", "b", "f", "ts"])
                #expect(try row.optionalInt("i") == sample.integer)
                #expect(try row.optionalDouble("r") == sample.real)
                #expect(try row.optionalString("t") == sample.text)
                #expect(try row.optionalBytes("b") == sample.blob)
                #expect(try row.optionalBool("f") == sample.flag)
                let time = try row.optionalDate("ts")
                #expect((time == nil) == (sample.time == nil))
                if let time, let expected = sample.time {
                    #expect(abs(time.timeIntervalSince(expected)) < 0.000_001)
                }
            }
        }
    }

    @Test("COPY loads every type as bound values store it on PostgreSQL; SQLite refuses it", arguments: TestStore.all)
    func copyLoadsEveryType(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let values = Self.samples.enumerated().flatMap { [DatabaseValue($0)] + $1.parameters }
            let columns = ["id", "i", "r", "t", "b", "f", "ts"]
            guard database.dialect == .postgres else {
                #expect(throws: DatabaseError.self) {
                    try database.write { try $0.copy(into: "samples", columns: columns, values: values) }
                }
                return
            }
            try database.write { connection in
                try connection.execute(
                    """
                    CREATE TABLE samples (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION,
                        t TEXT, b BYTEA, f BOOLEAN, ts TIMESTAMPTZ)
                    """)
                #expect(try connection.copy(into: "samples", columns: columns, values: values) == Self.samples.count)
                // A refused load (a key twice) leaves the session usable, and a short row is refused before sending.
                #expect(throws: DatabaseError.self) {
                    try connection.copy(into: "samples", columns: columns, values: values)
                }
                #expect(throws: DatabaseError.self) {
                    try connection.copy(into: "samples", columns: columns, values: Array(values.dropLast()))
                }
                #expect(try connection.queryOne("SELECT count(*) FROM samples")?.int(0) == Int64(Self.samples.count))
            }
            let rows = try database.read { try $0.query("SELECT * FROM samples ORDER BY id") }
            try #require(rows.count == Self.samples.count)
            for (row, sample) in zip(rows, Self.samples) {
                #expect(try row.optionalInt("i") == sample.integer)
                #expect(try row.optionalDouble("r") == sample.real)
                #expect(try row.optionalString("t") == sample.text)
                #expect(try row.optionalBytes("b") == sample.blob)
                #expect(try row.optionalBool("f") == sample.flag)
                let time = try row.optionalDate("ts")
                #expect((time == nil) == (sample.time == nil))
                if let time, let expected = sample.time {
                    #expect(abs(time.timeIntervalSince(expected)) < 0.000_001)
                }
            }
        }
    }

    /// COPY sends rows while it encodes the rest: a value it cannot send, after many rows went,
    /// fails the whole load, nothing of it is stored, and the session stays usable.
    @Test(.enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func copyRefusesAValueItCannotSendAfterRowsWereSent() throws {
        try withTestDatabase(.postgres) { database in
            try database.write { connection in
                try connection.execute("CREATE TABLE lines (id BIGINT PRIMARY KEY, t TEXT)")
                let text = String(repeating: "escaped \\ tab\t newline\n ", count: 4)
                var values: [DatabaseValue] = (0..<5000).flatMap { [DatabaseValue.integer(Int64($0)), .text(text)] }
                #expect(values.count / 2 * text.utf8.count > 4 * PostgresConnection.copyChunk)
                values[values.count - 1] = .text("a NUL \u{0} at the end")
                let refused = #expect(throws: DatabaseError.self) {
                    try connection.copy(into: "lines", columns: ["id", "t"], values: values)
                }
                #expect(refused?.kind == .misuse)
                #expect(try connection.queryOne("SELECT count(*) FROM lines")?.int(0) == 0)

                values[values.count - 1] = .text(text)
                #expect(try connection.copy(into: "lines", columns: ["id", "t"], values: values) == 5000)
                let stored = try connection.queryOne("SELECT t FROM lines WHERE id = 4999")?.string(0)
                #expect(stored == text)
            }
        }
    }

    @Test(arguments: TestStore.all)
    func timestampsKeepMicrosecondsInUTC(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let time = Date(timeIntervalSince1970: 1_764_790_851.000_007)
            let row = try database.write { connection in
                try connection.execute(
                    database.sql(
                        sqlite: "CREATE TABLE times (at TEXT NOT NULL)",
                        postgres: "CREATE TABLE times (at TIMESTAMPTZ NOT NULL)"
                    ))
                try connection.execute("INSERT INTO times (at) VALUES ($1)", [.timestamp(time)])
                return try connection.queryOne(
                    database.sql(
                        sqlite: "SELECT at FROM times", postgres: "SELECT at::text FROM times"
                    )
                )
            }
            let stored = try #require(row).string(0)
            switch database.dialect {
            case .sqlite: #expect(stored == "2025-12-03T19:40:51.000007Z")
            case .postgres: #expect(stored == "2025-12-03 19:40:51.000007+00")
            }
        }
    }

    @Test(arguments: TestStore.all)
    func placeholdersBindByNumber(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                try connection.execute("CREATE TABLE pairs (a TEXT, b TEXT)")
                try connection.execute(
                    "INSERT INTO pairs (b, a) VALUES ($2, $1)", ["first", "second"]
                )
                let row = try #require(try connection.queryOne("SELECT a, b FROM pairs"))
                #expect(try row.string("a") == "first")
                #expect(try row.string("b") == "second")

                let reused = try #require(
                    try connection.queryOne(
                        "SELECT $2 AS b, $1 AS a, $1 AS again FROM pairs WHERE a = $1", ["first", "x"]
                    ))
                #expect(try reused.string(0) == "x")
                #expect(try reused.string("a") == "first")
                #expect(try reused.string("again") == "first")
                #expect(reused.columnNames == ["b", "a", "again"])
            }
        }
    }

    @Test(arguments: TestStore.all)
    func placeholderLookalikesInLiteralsAndCommentsStayText(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let row = try database.read { connection in
                try connection.queryOne(
                    """
                    SELECT '$1' AS quoted, $1 AS bound, "$2" AS name -- $3 is no placeholder
                    FROM (SELECT 'x' AS "$2") AS t /* nor $4 */ WHERE $1 = $1
                    """, ["value"])
            }
            #expect(try row?.string("quoted") == "$1")
            #expect(try row?.string("bound") == "value")
            #expect(try row?.string("name") == "x")
        }
    }

    @Test
    func sqliteNumbersDollarPlaceholdersDirectly() throws {
        let (sql, highest) = SQLiteStatement.numberingPlaceholders(
            "SELECT $1, '$2', \"$3\", $10, [$5], `$6` -- $4\n/* $7 */ $2")
        #expect(sql == "SELECT ?1, '$2', \"$3\", ?10, [$5], `$6` -- $4\n/* $7 */ ?2")
        #expect(highest == 10)
        try withTestDatabase(.sqlite) { database in
            for other in ["SELECT ?", "SELECT :name", "SELECT $1, @name", "SELECT $name"] {
                let refused = #expect(throws: DatabaseError.self) {
                    try database.read { try $0.queryOne(other, ["a"]) }
                }
                #expect(refused?.message == "placeholders must be written $1, $2, …", "\(other)")
            }
        }
    }

    @Test(arguments: TestStore.all)
    func wrongValueCountIsRefused(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                try connection.execute("CREATE TABLE one (a TEXT)")
                #expect(throws: DatabaseError.self) {
                    try connection.execute("INSERT INTO one (a) VALUES ($1)", [])
                }
                #expect(throws: DatabaseError.self) {
                    try connection.execute("INSERT INTO one (a) VALUES ($1)", ["a", "b"])
                }
                #expect(throws: DatabaseError.self) {
                    try connection.execute("INSERT INTO one (a) VALUES (?)", ["a"])
                }
                #expect(try connection.query("SELECT a FROM one").isEmpty)
            }
        }
    }

    @Test(arguments: TestStore.all)
    func executeCountsChangedRows(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                #expect(try connection.execute("CREATE TABLE counted (n INTEGER)") == 0)
                for number in 1...5 {
                    try connection.execute(
                        "INSERT INTO counted (n) VALUES ($1)", [DatabaseValue(number)]
                    )
                }
                let updated = try connection.execute(
                    "UPDATE counted SET n = n + 10 WHERE n > $1", [2]
                )
                #expect(updated == 3)
                #expect(try connection.execute("SELECT n FROM counted") == 0)
                #expect(try connection.execute("DELETE FROM counted") == 5)
            }
        }
    }

    @Test(arguments: TestStore.all)
    func typedGettersExplainMismatches(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let row = try #require(
                try database.read {
                    try $0.queryOne("SELECT 'text' AS word, NULL AS absent, 42 AS answer")
                })
            #expect(try row.int("answer") == 42)
            #expect(try row.double("answer") == 42)
            #expect(try row.optionalString("absent") == nil)
            #expect(row["missing"] == nil)

            let mismatch = #expect(throws: DatabaseError.self) { try row.int("word") }
            #expect(mismatch?.kind == .typeMismatch)
            #expect(mismatch?.message == "column \"word\" holds text, not integer")
            #expect(!(mismatch?.description.contains("'text'") ?? true))

            let null = #expect(throws: DatabaseError.self) { try row.string("absent") }
            #expect(null?.kind == .typeMismatch)

            let missing = #expect(throws: DatabaseError.self) { try row.string("missing") }
            #expect(missing?.kind == .columnNotFound)
            let outOfRange = #expect(throws: DatabaseError.self) { try row.string(7) }
            #expect(outOfRange?.kind == .columnNotFound)
        }
    }

    @Test func literalsBuildValues() {
        let values: [DatabaseValue] = [nil, 1, 2.5, "three", true]
        #expect(values == [.null, .integer(1), .real(2.5), .text("three"), .bool(true)])
        #expect(DatabaseValue(nil as String?) == .null)
        #expect(DatabaseValue(7) == .integer(7))
        #expect(DatabaseValue(nil as Date?) == .null)
        #expect(DatabaseValue([1, 2] as [UInt8]?) == .blob([1, 2]))
    }
}
