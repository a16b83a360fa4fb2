import Core
import Foundation

/// Brings a database's schema up to the newest migration, recording each in `schema_migrations`.
///
/// Each pending migration runs in its own transaction together with its `schema_migrations`
/// row, so a failure leaves the database at the previous version. On PostgreSQL every such
/// transaction first takes `pg_advisory_xact_lock`, so instances starting together apply each
/// migration once: the second waits, then sees the version recorded and skips it. On SQLite the
/// `BEGIN IMMEDIATE` of the single writer serializes the same way.
public struct Migrator: Sendable {
    /// The advisory lock key migrations hold on PostgreSQL: "SYNCLINE" in ASCII.
    static let advisoryLockKey: Int64 = 0x5359_4E43_4C49_4E45

    private let database: any Database
    private let migrations: [Migration]
    private let logger: Logger

    /// Creates a migrator for `migrations`, which must have versions above zero in ascending order.
    public init(
        database: any Database,
        migrations: [Migration],
        logger: Logger
    ) throws(MigrationError) {
        let pairs = zip(migrations, migrations.dropFirst())
        for (previous, next) in pairs where previous.version >= next.version {
            throw .invalidMigrationList(
                reason: "version \(next.version) follows \(previous.version); versions must ascend"
            )
        }
        if let first = migrations.first, first.version < 1 {
            throw .invalidMigrationList(reason: "version \(first.version) is not above zero")
        }
        self.database = database
        self.migrations = migrations
        self.logger = logger.labeled("migrator")
    }

    /// The highest version this binary knows.
    public var latestVersion: Int {
        migrations.last?.version ?? 0
    }

    /// Where the database stands, read without changing anything.
    ///
    /// - Throws: ``DatabaseError`` when the database cannot be read.
    public func status() throws -> MigrationStatus {
        let applied = try database.read { connection in
            guard try tableExists(connection) else { return Set<Int>() }
            return try appliedVersions(connection)
        }
        return MigrationStatus(
            currentVersion: applied.max() ?? 0,
            latestVersion: latestVersion,
            pending: migrations.filter { !applied.contains($0.version) }
        )
    }

    /// Applies every pending migration in version order and returns those it applied.
    ///
    /// - Throws: ``MigrationError/databaseIsNewer(databaseVersion:latestKnownVersion:)`` before
    ///   changing anything when the database is ahead of this binary,
    ///   ``MigrationError/migrationFailed(version:name:underlying:)`` when a script fails, or
    ///   ``DatabaseError`` when the database cannot be reached.
    @discardableResult
    public func migrate() throws -> [Migration] {
        let dialect = database.dialect
        try database.transaction { connection in
            try lock(connection)
            try connection.execute(Self.createTable(dialect))
            try refuseNewerDatabase(try appliedVersions(connection))
        }

        var applied: [Migration] = []
        for migration in migrations {
            let started = ContinuousClock.now
            let didApply = try database.transaction { connection in
                try lock(connection)
                let versions = try appliedVersions(connection)
                try refuseNewerDatabase(versions)
                guard !versions.contains(migration.version) else { return false }
                do throws(DatabaseError) {
                    try connection.executeScript(migration.script(for: dialect))
                } catch {
                    throw MigrationError.migrationFailed(
                        version: migration.version, name: migration.name, underlying: error
                    )
                }
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [DatabaseValue(migration.version), .text(migration.name), .timestamp(Date())]
                )
                return true
            }
            guard didApply else { continue }
            applied.append(migration)
            let milliseconds = (ContinuousClock.now - started).seconds * 1000
            logger.info(
                "applied migration",
                [
                    "version": String(migration.version), "name": migration.name,
                    "duration_ms": String(format: "%.1f", milliseconds),
                ])
        }
        return applied
    }

    private func refuseNewerDatabase(_ versions: Set<Int>) throws(MigrationError) {
        guard let current = versions.max(), current > latestVersion else { return }
        throw .databaseIsNewer(databaseVersion: current, latestKnownVersion: latestVersion)
    }

    private func lock(_ connection: any DatabaseConnection) throws(DatabaseError) {
        guard connection.dialect == .postgres else { return }
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [.integer(Self.advisoryLockKey)])
    }

    private func tableExists(_ connection: any DatabaseConnection) throws(DatabaseError) -> Bool {
        switch connection.dialect {
        case .sqlite:
            let row = try connection.queryOne(
                """
                SELECT count(*) FROM sqlite_master
                WHERE type = 'table' AND name = 'schema_migrations'
                """)
            return try row?.int(0) == 1
        case .postgres:
            let row = try connection.queryOne("SELECT to_regclass('schema_migrations') IS NOT NULL")
            return try row?.bool(0) == true
        }
    }

    private func appliedVersions(
        _ connection: any DatabaseConnection
    ) throws(DatabaseError) -> Set<Int> {
        var versions = Set<Int>()
        for row in try connection.query("SELECT version FROM schema_migrations") {
            versions.insert(Int(try row.int(0)))
        }
        return versions
    }

    private static func createTable(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """
        case .postgres:
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL
            )
            """
        }
    }
}
