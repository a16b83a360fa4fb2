import TestSupport
import Testing

@testable import Storage

@Suite("Database errors")
struct ErrorTests {
    static let secret = "sk_live_9fQ2mZ7xR4tLw8VbN3"

    @Test(arguments: TestStore.all)
    func uniqueViolationKeepsCodeButNotTheValue(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let failure = try database.write { connection in
                try connection.execute(
                    "CREATE TABLE tokens (value TEXT NOT NULL CONSTRAINT tokens_value_key UNIQUE)"
                )
                let insert = "INSERT INTO tokens (value) VALUES ($1)"
                try connection.execute(insert, [.text(Self.secret)])
                return #expect(throws: DatabaseError.self) {
                    try connection.execute(insert, [.text(Self.secret)])
                }
            }
            let error = try #require(failure)
            #expect(error.isUniqueViolation)
            #expect(!error.isForeignKeyViolation)
            switch database.dialect {
            case .sqlite:
                #expect(error.kind == .sqlite)
                #expect(error.code == "SQLITE_CONSTRAINT_UNIQUE")
                #expect(error.message.contains("tokens.value"))
            case .postgres:
                #expect(error.kind == .postgres)
                #expect(error.code == "23505")
                #expect(error.constraint == "tokens_value_key")
            }
            #expect(error.sql == "INSERT INTO tokens (value) VALUES ($1)")
            for text in [error.description, "\(error)", String(reflecting: error), error.message] {
                #expect(!text.contains(Self.secret))
            }
        }
    }

    @Test(arguments: TestStore.all)
    func rejectedInputIsNotEchoed(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let failure = try database.write { connection in
                try connection.execute(
                    database.sql(
                        sqlite: "CREATE TABLE amounts (n INTEGER NOT NULL) STRICT",
                        postgres: "CREATE TABLE amounts (n INTEGER NOT NULL)"
                    ))
                return #expect(throws: DatabaseError.self) {
                    try connection.execute(
                        "INSERT INTO amounts (n) VALUES ($1)", [.text(Self.secret)]
                    )
                }
            }
            let error = try #require(failure)
            let expected = database.dialect == .sqlite ? "SQLITE_CONSTRAINT_DATATYPE" : "22P02"
            #expect(error.code == expected)
            #expect(!error.description.contains(Self.secret))
        }
    }

    @Test(arguments: TestStore.all)
    func constraintHelpersRecognizeEachKind(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try database.write { connection in
                try connection.executeScript(
                    """
                    CREATE TABLE parents (id INTEGER PRIMARY KEY);
                    CREATE TABLE children (
                        id INTEGER PRIMARY KEY,
                        parent INTEGER NOT NULL REFERENCES parents (id),
                        age INTEGER CHECK (age >= 0)
                    );
                    INSERT INTO parents (id) VALUES (1);
                    """)
                let insert = "INSERT INTO children (id, parent, age) VALUES ($1, $2, $3)"
                func failure(_ values: [DatabaseValue]) -> DatabaseError? {
                    #expect(throws: DatabaseError.self) { try connection.execute(insert, values) }
                }
                #expect(failure([1, 99, 1])?.isForeignKeyViolation == true)
                #expect(failure([1, nil, 1])?.isNotNullViolation == true)
                #expect(failure([1, 1, -5])?.isCheckViolation == true)
                try connection.execute(insert, [1, 1, 5])
                #expect(failure([1, 1, 6])?.isUniqueViolation == true)
            }
        }
    }

    @Test(arguments: TestStore.all)
    func syntaxErrorsNameTheirCode(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let failure = #expect(throws: DatabaseError.self) {
                try database.read { try $0.query("SELEC 1") }
            }
            #expect(failure?.code == (database.dialect == .sqlite ? "SQLITE_ERROR" : "42601"))
            #expect(failure?.description.contains("SELEC 1") == true)
        }
    }

    @Test func sqliteResultCodesHaveTheirManualNames() {
        #expect(SQLiteResultCode.name(0) == "SQLITE_OK")
        #expect(SQLiteResultCode.name(5) == "SQLITE_BUSY")
        #expect(SQLiteResultCode.name(2067) == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(SQLiteResultCode.name(1555) == "SQLITE_CONSTRAINT_PRIMARYKEY")
        #expect(SQLiteResultCode.name(517) == "SQLITE_BUSY_SNAPSHOT")
        #expect(SQLiteResultCode.name(516) == "SQLITE_ABORT_ROLLBACK")
        #expect(SQLiteResultCode.name(260) == "SQLITE_ABORT(1)")
        #expect(SQLiteResultCode.name(3338) == "SQLITE_IOERR_ACCESS")
        #expect(SQLiteResultCode.name(8202) == "SQLITE_IOERR_DATA")
    }

    @Test func redactionSparesShortValuesAndOtherKinds() {
        let error = DatabaseError(
            .postgres, code: "22P02", message: "invalid input: \"abcdef\" near ab"
        )
        let redacted = error.redactingParameters(["abcdef", "ab", .blob([1, 2, 3]), 123_456])
        #expect(redacted.message == "invalid input: \"…\" near ab")
    }
}
