import Core
import Foundation
import HTTP
import Storage

/// The benchmark's table: 12 columns of mixed types, keyed by a dense integer id.
enum BenchTable {
    static let columns =
        "id, name, email, region, amount, quantity, active, created_at, score, category, notes, updated_at"

    /// Creates the table and fills it to `rows` rows, unless it already holds that many.
    static func seed(_ database: any Database, rows: Int) throws {
        try database.write { connection in
            try connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS bench_rows (
                    id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, region TEXT NOT NULL,
                    amount REAL NOT NULL, quantity INTEGER NOT NULL, active INTEGER NOT NULL,
                    created_at TEXT NOT NULL, score REAL, category TEXT NOT NULL, notes TEXT,
                    updated_at TEXT NOT NULL)
                """)
        }
        let existing = try database.read { try $0.queryOne("SELECT count(*) AS n FROM bench_rows")?.int("n") } ?? 0
        guard existing != rows else { return }
        _ = try database.write { try $0.execute("DELETE FROM bench_rows") }

        let regions = ["north", "south", "east", "west", "central"]
        let categories = ["hardware", "software", "services", "support", "training", "licences"]
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let batch = 10_000
        for first in stride(from: 1, through: rows, by: batch) {
            try database.transaction { connection in
                for id in first..<min(first + batch, rows + 1) {
                    let created = start.addingTimeInterval(Double(id) * 37)
                    try connection.execute(
                        "INSERT INTO bench_rows (\(columns)) "
                            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        [
                            .integer(Int64(id)), .text("Customer \(id)"), .text("customer\(id)@example.com"),
                            .text(regions[id % regions.count]), .real(Double(id % 100_000) / 7.0),
                            .integer(Int64(id % 97)), .bool(id % 3 != 0), .timestamp(created),
                            id % 11 == 0 ? .null : .real(Double(id % 1000) / 10),
                            .text(categories[id % categories.count]),
                            id % 5 == 0 ? .null : .text("Order note \(id) with \"quotes\" and unicode é"),
                            .timestamp(created.addingTimeInterval(3600)),
                        ])
                }
            }
        }
    }

    /// `GET /bench/hello`, and `GET /bench/page?after=N` open and signed in.
    static func register(on router: inout Router, database: any Database) {
        router.add(
            .get, "/bench/hello",
            RouteMetadata(
                access: .anyone, summary: "A trivial JSON object.",
                hidden: true)
        ) { _ in
            Response.json(Array(#"{"hello":"world","service":"syncline"}"#.utf8))
        }
        // The page twice: open, and behind sign-in on an audited API path, so bench/identity
        // can measure what authentication and API-access auditing cost.
        for (path, access) in [("/bench/page", Access.anyone), ("/api/v1/bench/page", Access.viewer)] {
            addPage(path, access: access, on: &router, database: database)
        }
    }

    private static func addPage(_ path: String, access: Access, on router: inout Router, database: any Database) {
        router.add(
            .get, path,
            RouteMetadata(
                access: access, summary: "A 50-row page as JSON.",
                hidden: true)
        ) { request in
            guard let after = Int64(request.query["after"] ?? "0") else {
                throw HTTPError.badRequest("after must be a whole number")
            }
            var writer = JSONWriter(capacity: 16 * 1024)
            writer.beginObject()
            writer.key("records")
            writer.beginArray()
            var last: Int64 = after
            try database.read { connection in
                try connection.query(
                    "SELECT \(columns) FROM bench_rows WHERE id > $1 ORDER BY id LIMIT 50", [.integer(after)]
                ) { (row: RowView) in
                    writer.row(row)
                    if case .integer(let id) = row.field(at: 0) { last = id }
                }
            }
            writer.endArray()
            writer.key("next")
            writer.integer(last)
            writer.endObject()
            return Response.json(writer.bytes)
        }
    }
}
