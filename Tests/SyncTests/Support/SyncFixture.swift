import Audit
import Core
import Foundation
import Storage
import Synchronization
import TestSupport

@testable import Sync

/// An audit recorder that keeps events in memory.
final class CollectingAudit: AuditRecorder, Sendable {
    private let events = Mutex<[AuditEvent]>([])

    func record(_ event: AuditEvent) {
        events.withLock { $0.append(event) }
    }

    var recorded: [AuditEvent] { events.withLock { $0 } }
}

/// A migrated database with a sync engine whose sources all read from one `ListConnector`.
struct SyncFixture {
    let database: any Database
    let connector: ListConnector
    let audit = CollectingAudit()
    let engine: SyncEngine
    let sources: SourceStore
    let queue: SyncQueue

    init(
        _ database: any Database, connector: ListConnector, owner: String = "test-instance",
        lease: Duration = .seconds(30)
    ) throws {
        self.database = database
        self.connector = connector
        _ = try Migrator(database: database, migrations: ControlSchema.migrations, logger: testLogger).migrate()
        let environment = SyncEnvironment(
            importDirectory: ImportDirectory(path: FileManager.default.temporaryDirectory.path), egress: .unrestricted,
            variables: [:], batchSize: 100, makeConnector: { _ in connector })
        engine = SyncEngine(
            database: database, environment: environment, audit: audit, metrics: nil, logger: testLogger,
            owner: owner, lease: lease)
        sources = SourceStore(database: database)
        queue = SyncQueue(database: database)
    }

    /// Another engine (another instance) over the same database and connector.
    func instance(_ owner: String, lease: Duration = .seconds(30)) -> SyncEngine {
        let connector = self.connector
        return SyncEngine(
            database: database,
            environment: SyncEnvironment(
                importDirectory: ImportDirectory(path: "/tmp"), egress: .unrestricted, variables: [:], batchSize: 100,
                makeConnector: { _ in connector }),
            audit: audit, metrics: nil, logger: testLogger, owner: owner, lease: lease)
    }

    /// Creates a source read by the list connector.
    func addSource(
        mode: SyncMode = .full, primaryKey: [String] = ["id"], lookback: Double = 0, marksDeleted: Bool = false
    ) throws -> Source {
        try sources.create(
            SourceDefinition(
                name: "list-\(UUID().uuidString.prefix(8))",
                connection: .csv(CSVOptions(path: "unused.csv")), mode: mode, primaryKey: primaryKey,
                cursor: mode == .incremental ? CursorOptions(field: "updated_at", lookback: lookback) : nil,
                marksDeleted: marksDeleted))
    }

    /// Queues a run of `source` and executes it on this thread; returns the run as it ended.
    @discardableResult
    func sync(_ source: Source, engine: SyncEngine? = nil) throws -> SyncRun {
        let engine = engine ?? self.engine
        let queued = try queue.enqueue(sourceID: source.id, trigger: .manual, requestedBy: "tester")
        let run = try queue.claim(runID: queued.id, owner: engine.owner, lease: engine.lease)!
        engine.execute(run, shutdown: RunControl())
        return try queue.find(id: run.id)!
    }

    /// Every data row of the source's table as text, ordered by key, bookkeeping left out.
    func rows(of source: Source) throws -> [String] {
        try database.read { connection in
            let table = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
            let columns = table.columns.map { RecordSQL.quote($0.name) }
            let select = ([RecordSQL.primaryKey] + columns).joined(separator: ", ")
            return try connection.query(
                "SELECT \(select) FROM \(RecordSQL.quote(table.name)) WHERE \(RecordSQL.deletedAt) IS NULL "
                    + "ORDER BY \(RecordSQL.primaryKey)"
            ).map { row in
                zip(["pk"] + table.columns.map(\.field), row.values).map { "\($0)=\(Self.text($1))" }
                    .joined(separator: "|")
            }
        }
    }

    /// The rows `records` should become, in the same form as ``rows(of:)``.
    func expected(_ records: [[String: RecordValue]], columns: [RecordColumn]) -> [String] {
        records.map { record -> (String, String) in
            let key = CursorValue.text(of: record["id"] ?? .null) ?? ""
            let values = columns.map { column in
                "\(column.field)=\(Self.text(column.type.databaseValue(record[column.field] ?? .null)))"
            }
            return (key, (["pk=\(key)"] + values).joined(separator: "|"))
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value {
        case .null: "null"
        case .integer(let number): String(number)
        case .real(let number): number.description
        case .text(let text): text
        case .blob(let bytes): bytes.description
        case .bool(let flag): flag ? "1" : "0"
        case .timestamp(let date): Timestamp.rfc3339(date, fractionalDigits: 6)
        }
    }
}
