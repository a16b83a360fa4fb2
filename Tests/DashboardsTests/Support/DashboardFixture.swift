import Audit
import Foundation
import Storage
import Sync
import TestSupport

@testable import Dashboards

/// An audit recorder that forgets every event.
struct DiscardingAudit: AuditRecorder {
    func record(_ event: AuditEvent) {}
}

/// A migrated database with CSV sources read from a temporary import directory, synced for
/// real by the sync service, and a dashboard service over the same database.
final class DashboardFixture {
    let database: any Database
    let sync: SyncService
    let dashboards: DashboardService
    let importDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-dash-\(UUID())")

    init(_ database: any Database, cacheCapacity: Int = 256) throws {
        self.database = database
        _ = try Migrator(database: database, migrations: ControlSchema.migrations, logger: testLogger).migrate()
        try FileManager.default.createDirectory(at: importDirectory, withIntermediateDirectories: true)
        let environment = SyncEnvironment(
            importDirectory: ImportDirectory(path: importDirectory.path), egress: .unrestricted, variables: [:],
            makeConnector: SourceConnectors.make)
        sync = SyncService(
            database: database, environment: environment, configuration: SyncServiceConfiguration(workers: 1),
            audit: DiscardingAudit(), metrics: nil, logger: testLogger)
        dashboards = DashboardService(database: database, logger: testLogger, cacheCapacity: cacheCapacity)
    }

    deinit {
        try? FileManager.default.removeItem(at: importDirectory)
    }

    /// Creates a CSV source keyed by `id` over `csv` and syncs it.
    func addSource(_ name: String, csv: String) throws -> Source {
        try write(csv, to: name)
        let source = try sync.sources.create(
            SourceDefinition(name: name, connection: .csv(CSVOptions(path: "\(name).csv")), primaryKey: ["id"]))
        try self.sync(source)
        return source
    }

    /// Replaces the source file of `name`.
    func write(_ csv: String, to name: String) throws {
        try Data(csv.utf8).write(to: importDirectory.appendingPathComponent("\(name).csv"))
    }

    /// Runs a sync of `source` on this thread and requires it to succeed.
    func sync(_ source: Source) throws {
        let run = try sync.queue.enqueue(sourceID: source.id, trigger: .manual, requestedBy: "tester")
        guard try sync.executeHere(runID: run.id), try sync.queue.find(id: run.id)?.status == .succeeded else {
            throw FixtureError(message: "the sync of \(source.name) did not succeed")
        }
    }

    /// The result of `widget` alone, computed now or at `now`.
    func result(of widget: Widget, now: Date = Date()) throws -> WidgetResult {
        let dashboard = Dashboard(
            id: 0, definition: DashboardDefinition(name: "probe", widgets: [widget]), createdAt: now, updatedAt: now)
        return try dashboards.data(for: dashboard, now: now)[0].outcome.get()
    }
}

/// A fixture step that did not go as a test needs.
struct FixtureError: Error, CustomStringConvertible {
    let message: String

    var description: String { message }
}
