import Core
import Foundation
import Storage
import Testing

/// The stores every storage test runs against.
///
/// PostgreSQL joins when `SYNCLINE_TEST_POSTGRES_URL` names a server (as `scripts/with-postgres`
/// sets it), and also when CI requires it without a URL, so those cases fail loudly instead of
/// vanishing. Otherwise they drop out and `postgresServerIsReachable` shows as skipped.
public enum TestStore: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// SQLite always; PostgreSQL when included.
    public static let all: [TestStore] = PostgresTestServer.isIncluded ? [.sqlite, .postgres] : [.sqlite]

    /// The store's name in test reports.
    public var testDescription: String { rawValue }
}

/// The PostgreSQL server the tests may use, from the environment.
public enum PostgresTestServer {
    private static let environment = ProcessInfo.processInfo.environment

    /// The server URL from `SYNCLINE_TEST_POSTGRES_URL`.
    public static let url: String? = environment["SYNCLINE_TEST_POSTGRES_URL"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// CI, or a developer who wants to be sure, demands the PostgreSQL cases.
    public static let isRequired: Bool = {
        let ci = environment["CI"] ?? ""
        return (!ci.isEmpty && ci != "0" && ci.lowercased() != "false")
            || environment["SYNCLINE_REQUIRE_POSTGRES"] == "1"
    }()

    /// Whether PostgreSQL cases are part of this run.
    public static let isIncluded = url != nil || isRequired

    /// Why PostgreSQL-only tests are skipped, shown in the test report.
    public static let skipReason: Comment = """
        PostgreSQL storage tests skipped: SYNCLINE_TEST_POSTGRES_URL is not set \
        (use scripts/with-postgres)
        """

    /// The server URL, or a test failure explaining how to provide one.
    public static func requireURL() throws -> String {
        try #require(
            url,
            """
            SYNCLINE_TEST_POSTGRES_URL is not set, but CI or SYNCLINE_REQUIRE_POSTGRES=1 requires \
            the PostgreSQL storage tests; run them under scripts/with-postgres
            """
        )
    }

    /// `server` with its database name replaced by `database`.
    public static func url(_ server: String, database: String) throws -> String {
        var components = try #require(URLComponents(string: server))
        components.path = "/" + database
        return try #require(components.string)
    }
}

/// A debug-level logger that keeps its lines in memory.
public let testLogger = Logger(label: "storage-tests", level: .debug, sink: MemoryLogSink())

/// Runs `body` with a fresh, empty database of `store`, removed afterwards.
///
/// SQLite gets a new file in a new temporary directory (one level deeper than exists, so the
/// parent is created); PostgreSQL gets a database created under a random name and dropped after.
/// `poolSize` is the SQLite reader count or the PostgreSQL connection limit.
public func withTestDatabase<T>(
    _ store: TestStore,
    poolSize: Int = 4,
    acquireTimeout: Duration = .seconds(10),
    metrics: MetricsRegistry? = nil,
    _ body: (any Database) throws -> T
) throws -> T {
    switch store {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("syncline-storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(
            path: directory.appendingPathComponent("nested/test.db").path,
            readers: poolSize,
            busyTimeout: acquireTimeout,
            logger: testLogger,
            metrics: metrics
        )
        defer { database.close() }
        return try body(database)
    case .postgres:
        return try withPostgresTestDatabase { url in
            let database = try PostgresDatabase(
                url: url,
                maxConnections: poolSize,
                acquireTimeout: acquireTimeout,
                logger: testLogger,
                metrics: metrics
            )
            defer { database.close() }
            return try body(database)
        }
    }
}

/// Creates a PostgreSQL database under a random name, runs `body` with its URL, then drops it.
public func withPostgresTestDatabase<T>(_ body: (String) throws -> T) throws -> T {
    let server = try PostgresTestServer.requireURL()
    let admin = try PostgresDatabase(url: server, maxConnections: 1, logger: testLogger)
    defer { admin.close() }
    let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let name = "syncline_test_" + suffix
    try admin.write { try $0.executeScript("CREATE DATABASE \(name)") }
    defer { _ = try? admin.write { try $0.executeScript("DROP DATABASE \(name) WITH (FORCE)") } }
    return try body(try PostgresTestServer.url(server, database: name))
}

extension Database {
    /// Picks the statement for this database's dialect.
    public func sql(sqlite: String, postgres: String) -> String {
        dialect == .sqlite ? sqlite : postgres
    }
}

/// An empty database that outlives one closure, for tests that start and stop servers on it.
///
/// SQLite is a file in a fresh directory; PostgreSQL a database created under a random name.
/// Both are removed when the value is released, so release it after closing every connection.
public final class ScratchDatabase: Sendable {
    /// The store it lives in.
    public let store: TestStore
    /// `sqlite:PATH` or a `postgres://` URL, as `SYNCLINE_DATABASE_URL` takes it.
    public let url: String
    private let directory: URL?
    private let postgresName: String?

    /// Creates the database.
    public init(_ store: TestStore) throws {
        self.store = store
        switch store {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-db-\(UUID())")
            self.directory = directory
            postgresName = nil
            url = "sqlite:\(directory.path)/syncline.db"
        case .postgres:
            let server = try PostgresTestServer.requireURL()
            let name = "syncline_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try PostgresDatabase(url: server, maxConnections: 1, logger: testLogger)
            defer { admin.close() }
            try admin.write { try $0.executeScript("CREATE DATABASE \(name)") }
            directory = nil
            postgresName = name
            url = try PostgresTestServer.url(server, database: name)
        }
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        if let postgresName, let server = PostgresTestServer.url,
            let admin = try? PostgresDatabase(url: server, maxConnections: 1, logger: testLogger)
        {
            _ = try? admin.write { try $0.executeScript("DROP DATABASE \(postgresName) WITH (FORCE)") }
            admin.close()
        }
    }
}
