import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Storage

@Suite("Migrations")
struct MigrationTests {
    static let notes = Migration(
        version: 2,
        name: "notes",
        sqlite: """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
            CREATE INDEX notes_body ON notes (body);
            """,
        postgres: """
            CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);
            CREATE INDEX notes_body ON notes (body);
            """
    )

    /// The first control migration alone, so these tests do not change as the schema grows.
    static let base = [ControlSchema.migrations[0]]
    static var all: [Migration] { base + [notes] }

    static func migrator(_ database: any Database, _ migrations: [Migration]) throws -> Migrator {
        try Migrator(database: database, migrations: migrations, logger: testLogger)
    }

    @Test(arguments: TestStore.all)
    func migratesUpFromEmptyThenDoesNothing(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let migrator = try Self.migrator(database, Self.all)
            let before = try migrator.status()
            #expect(before.currentVersion == 0)
            #expect(before.latestVersion == 2)
            #expect(before.pending.map(\.version) == [1, 2])
            #expect(!before.isCurrent)

            let applied = try migrator.migrate()
            #expect(applied.map(\.version) == [1, 2])
            let after = try migrator.status()
            #expect(after.currentVersion == 2)
            #expect(after.pending.isEmpty)
            #expect(after.isCurrent)
            #expect(try migrator.migrate().isEmpty)

            let recorded = try database.read { connection in
                try connection.query(
                    "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
                )
            }
            #expect(try recorded.map { try $0.string("name") } == ["instance", "notes"])
            let appliedAt = try recorded[0].date("applied_at")
            #expect(abs(appliedAt.timeIntervalSinceNow) < 60)

            try database.write { connection in
                try connection.execute(
                    "INSERT INTO instance_settings (key, value, updated_at) VALUES ($1, $2, $3)",
                    ["instance_id", "abc", .timestamp(Date())]
                )
                try connection.execute("INSERT INTO notes (body) VALUES ($1)", ["hello"])
            }
        }
    }

    @Test(arguments: TestStore.all)
    func newerDatabaseIsRefused(store: TestStore) throws {
        try withTestDatabase(store) { database in
            try Self.migrator(database, Self.all).migrate()
            let older = try Self.migrator(database, Self.base)
            let status = try older.status()
            #expect(status.isDatabaseNewer)
            #expect(!status.isCurrent)

            let failure = #expect(throws: MigrationError.self) { try older.migrate() }
            guard case .databaseIsNewer(let databaseVersion, let latest) = failure else {
                Issue.record("expected databaseIsNewer, got \(String(describing: failure))")
                return
            }
            #expect(databaseVersion == 2)
            #expect(latest == 1)
            #expect(failure?.description.contains("newer than version 1") == true)
        }
    }

    @Test(arguments: TestStore.all)
    func failedMigrationRollsBackWholly(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let broken = Migration(
                version: 2,
                name: "broken",
                sqlite: "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);",
                postgres: "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);"
            )
            let migrator = try Self.migrator(database, Self.base + [broken])
            let failure = #expect(throws: MigrationError.self) { try migrator.migrate() }
            guard case .migrationFailed(let version, let name, let underlying) = failure else {
                Issue.record("expected migrationFailed, got \(String(describing: failure))")
                return
            }
            #expect(version == 2 && name == "broken")
            #expect(underlying.code != nil)

            let status = try migrator.status()
            #expect(status.currentVersion == 1)
            #expect(status.pending.map(\.name) == ["broken"])
            let halfExists = try database.read { connection in
                try connection.queryOne(
                    database.sql(
                        sqlite: "SELECT count(*) FROM sqlite_master WHERE name = 'half'",
                        postgres: "SELECT count(*) FROM pg_tables WHERE tablename = 'half'"
                    ))?.int(0)
            }
            #expect(halfExists == 0)
        }
    }

    @Test(arguments: TestStore.all)
    func concurrentMigratorsApplyEachVersionOnce(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let applied = Mutex<[Int]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do {
                    let versions = try Self.migrator(database, Self.all).migrate().map(\.version)
                    applied.withLock { $0 += versions }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(applied.withLock { $0.sorted() } == [1, 2])
        }
    }

    @Test func invalidListsAreRefused() throws {
        try withTestDatabase(.sqlite) { database in
            let zero = Migration(version: 0, name: "zero", sqlite: "", postgres: "")
            let invalidLists = [
                [Self.notes, ControlSchema.migrations[0]], [Self.notes, Self.notes], [zero],
            ]
            for migrations in invalidLists {
                #expect(throws: MigrationError.self) { try Self.migrator(database, migrations) }
            }
        }
    }

    @Test func controlSchemaVersionsAscendFromOne() {
        let versions = ControlSchema.migrations.map(\.version)
        #expect(versions.first == 1)
        #expect(versions == Array(1...versions.count))
    }

    @Test(arguments: TestStore.all)
    func wholeControlSchemaAppliesFromEmpty(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let migrator = try Self.migrator(database, ControlSchema.migrations)
            let applied = try migrator.migrate()
            #expect(applied.map(\.version) == ControlSchema.migrations.map(\.version))
            #expect(try migrator.status().isCurrent)
        }
    }
}
