/// One versioned step of a database schema, written once per dialect.
///
/// A script may hold several statements; it runs inside the migrator's transaction, so it must
/// not begin or end transactions itself.
public struct Migration: Sendable, Hashable {
    /// The version the database is at once this migration is applied; unique and above zero.
    public let version: Int
    /// A short name for logs and status, such as `instance`.
    public let name: String
    /// The script for SQLite.
    public let sqlite: String
    /// The script for PostgreSQL.
    public let postgres: String

    /// Creates a migration.
    public init(version: Int, name: String, sqlite: String, postgres: String) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// The script for `dialect`.
    public func script(for dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: sqlite
        case .postgres: postgres
        }
    }
}

/// Where a database stands against the migrations a binary knows.
public struct MigrationStatus: Sendable, Hashable {
    /// The highest version applied to the database; 0 for an empty database.
    public let currentVersion: Int
    /// The highest version this binary knows.
    public let latestVersion: Int
    /// Known migrations not yet applied, in the order they will run.
    public let pending: [Migration]

    /// Whether every known migration is applied and the database is not ahead of the binary.
    public var isCurrent: Bool {
        pending.isEmpty && currentVersion <= latestVersion
    }

    /// Whether a newer binary has migrated the database past what this one understands.
    public var isDatabaseNewer: Bool {
        currentVersion > latestVersion
    }
}

/// Why migrations could not run.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    /// The database carries a version this binary does not know; running could damage it.
    case databaseIsNewer(databaseVersion: Int, latestKnownVersion: Int)
    /// The migration list itself is wrong: versions not above zero, repeated or out of order.
    case invalidMigrationList(reason: String)
    /// A migration's script failed; its transaction was rolled back.
    case migrationFailed(version: Int, name: String, underlying: DatabaseError)

    /// The error as one line for the operator.
    public var description: String {
        switch self {
        case .databaseIsNewer(let databaseVersion, let latestKnownVersion):
            "the database schema is at version \(databaseVersion), newer than version "
                + "\(latestKnownVersion) that this binary knows; run a newer Syncline or restore "
                + "a backup taken before the upgrade"
        case .invalidMigrationList(let reason):
            "the migration list is invalid: \(reason)"
        case .migrationFailed(let version, let name, let underlying):
            "migration \(version) (\(name)) failed and was rolled back: \(underlying)"
        }
    }
}
