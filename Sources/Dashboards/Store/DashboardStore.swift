import Foundation
import Storage

/// Keeps dashboards in the control database, their widgets as JSON text in the shape
/// ``DashboardDefinition/init(json:)`` reads.
///
/// The store checks only that names stay unique; ``DashboardService`` checks widgets against
/// their sources before anything is stored.
struct DashboardStore: Sendable {
    private let database: any Database

    /// Creates a store over `database`.
    init(database: any Database) {
        self.database = database
    }

    /// Every dashboard, by name.
    func list() throws(DashboardError) -> [Dashboard] {
        try DashboardError.mapping {
            try database.read { connection in
                try connection.query("SELECT \(Dashboard.columns) FROM dashboards ORDER BY name, id").map(
                    Dashboard.init)
            }
        }
    }

    /// The dashboard with `id`, or nil.
    func find(id: Int64) throws(DashboardError) -> Dashboard? {
        try DashboardError.mapping {
            try database.read { connection in
                try connection.queryOne("SELECT \(Dashboard.columns) FROM dashboards WHERE id = $1", [.integer(id)])
                    .map(Dashboard.init)
            }
        }
    }

    /// Stores a new dashboard; a conflict when the name is taken.
    func create(_ definition: DashboardDefinition, now: Date = Date()) throws(DashboardError) -> Dashboard {
        try DashboardError.mapping {
            try database.transaction { connection in
                try Self.checkNameFree(definition.name, except: nil, on: connection)
                let row = try connection.queryOne(
                    """
                    INSERT INTO dashboards (name, description, widgets, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $4) RETURNING \(Dashboard.columns)
                    """,
                    [
                        .text(definition.name), .text(definition.description),
                        .text(Widget.jsonText(of: definition.widgets)), .timestamp(now),
                    ])
                return try Dashboard(row: row!)
            }
        }
    }

    /// Replaces a dashboard's name, description and widgets.
    func update(id: Int64, to definition: DashboardDefinition, now: Date = Date()) throws(DashboardError)
        -> Dashboard
    {
        try DashboardError.mapping {
            try database.transaction { connection in
                try Self.checkNameFree(definition.name, except: id, on: connection)
                guard
                    let row = try connection.queryOne(
                        """
                        UPDATE dashboards SET name = $1, description = $2, widgets = $3, updated_at = $4
                        WHERE id = $5 RETURNING \(Dashboard.columns)
                        """,
                        [
                            .text(definition.name), .text(definition.description),
                            .text(Widget.jsonText(of: definition.widgets)), .timestamp(now), .integer(id),
                        ])
                else { throw DashboardError(.notFound, "No such dashboard.") }
                return try Dashboard(row: row)
            }
        }
    }

    /// Deletes a dashboard.
    func delete(id: Int64) throws(DashboardError) {
        try DashboardError.mapping {
            try database.write { connection in
                guard try connection.execute("DELETE FROM dashboards WHERE id = $1", [.integer(id)]) == 1 else {
                    throw DashboardError(.notFound, "No such dashboard.")
                }
            }
        }
    }

    private static func checkNameFree(_ name: String, except id: Int64?, on connection: any DatabaseConnection) throws {
        guard
            let row = try connection.queryOne("SELECT id FROM dashboards WHERE name = $1", [.text(name)]),
            try row.int(0) != id
        else { return }
        throw DashboardError(.conflict, "A dashboard named \(name) exists already.")
    }
}
