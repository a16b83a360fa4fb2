import Core
import Foundation
import Sync

/// Fills an empty development database with the demo: the orders CSV, the tickets API, a source
/// for each with a schedule, their first syncs, and two dashboards once those have finished.
struct DemoSeeder {
    let application: Application

    /// The import-directory path of the bundled orders file.
    static let ordersPath = "demo/orders.csv"

    /// Seeds the demo when the database has no sources yet; returns whether it did.
    @discardableResult
    func seedIfEmpty() throws -> Bool {
        let sync = application.sync
        guard try sync.sources.list().isEmpty else { return false }
        let logger = application.logger.labeled("demo")
        let directory = sync.importDirectory.path + "/demo"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ordersFile = sync.importDirectory.path + "/" + Self.ordersPath
        try Data(DemoData.ordersCSV(end: Date()).utf8).write(to: URL(fileURLWithPath: ordersFile))

        let orders = try sync.sources.create(
            SourceDefinition(
                name: "Demo orders", connection: .csv(CSVOptions(path: Self.ordersPath)), mode: .full,
                primaryKey: ["order_id"], schedule: .interval(seconds: 3600)))
        let port = application.server.port
        let tickets = try sync.sources.create(
            SourceDefinition(
                name: "Demo tickets",
                connection: .rest(
                    RESTOptions(
                        url: "http://127.0.0.1:\(port)\(DemoRoutes.ticketsPath)", recordsPath: "data",
                        pagination: .pageNumber(parameter: "page", firstPage: 1, sizeParameter: "per_page", size: 200),
                        cursorParameter: "updated_since")),
                mode: .incremental, primaryKey: ["id"], cursor: CursorOptions(field: "updated_at", lookback: 120),
                schedule: .interval(seconds: 300)))
        let runs = try [orders, tickets].map { try sync.requestSync(sourceID: $0.id, requestedBy: "demo").id }
        DemoDashboards.create(after: runs, orders: orders.id, tickets: tickets.id, application: application)
        logger.info("demo seeded", ["sources": "\(orders.name), \(tickets.name)"])
        return true
    }
}
