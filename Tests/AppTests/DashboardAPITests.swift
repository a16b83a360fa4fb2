import Core
import Foundation
import Storage
import TestSupport
import Testing

@testable import App

/// Dashboards through the API on a live server over a synced CSV source, on both stores.
@Suite("Dashboard API") struct DashboardAPITests {
    private static let orders = """
        id,region,amount,paid,ordered_at
        1,EU,120.5,true,2026-01-05T10:00:00Z
        2,US,80,false,2026-01-06T11:30:00Z
        3,EU,42,true,2026-02-01T09:15:00Z
        4,APAC,,false,2026-02-03T12:00:00Z
        5,US,300,true,2026-03-10T08:45:00Z
        """

    /// A running server with an admin, a viewer and the orders source synced once.
    private struct Setup {
        let app: RunningApplication
        let admin: String
        let viewer: String
        let sourceID: Int

        var auth: [(String, String)] { [("Authorization", "Bearer \(admin)")] }

        init(_ store: TestStore) throws {
            app = try RunningApplication(store)
            try app.addUser("root", role: .admin)
            try app.addUser("vic", role: .viewer)
            admin = try app.token("root")
            viewer = try app.token("vic")
            try app.importFile("orders.csv", DashboardAPITests.orders)
            let created = try app.client().postJSON(
                "/api/v1/sources",
                ["name": "orders", "kind": "csv", "primaryKey": "id", "csv": ["path": "orders.csv"]],
                headers: [("Authorization", "Bearer \(admin)")])
            sourceID = try #require(try created.json()["id"] as? Int)
            try sync()
        }

        /// Runs a sync of the orders source and waits for it to succeed.
        func sync() throws {
            let started = try app.client().request("POST", "/api/v1/sources/\(sourceID)/syncs", headers: auth)
            let run = try app.waitForRun(try #require(try started.json()["id"] as? Int), token: admin)
            #expect(run["status"] as? String == "succeeded", "\(run)")
        }

        /// Six widgets over the orders source, one of each kind.
        var widgets: [[String: Any]] {
            [
                ["id": "orders", "title": "Orders", "kind": "number", "sourceId": sourceID],
                [
                    "id": "revenue", "title": "Revenue", "kind": "number", "sourceId": sourceID,
                    "metric": ["aggregate": "sum", "field": "amount"],
                    "filters": [["field": "paid", "op": "eq", "value": true]],
                ],
                [
                    "id": "monthly", "title": "Monthly", "kind": "line", "sourceId": sourceID,
                    "time": ["field": "ordered_at", "bucket": "month"],
                ],
                [
                    "id": "regions", "title": "Regions", "kind": "bar", "sourceId": sourceID, "groupBy": "region",
                    "limit": 1,
                ],
                [
                    "id": "share", "title": "Share", "kind": "donut", "sourceId": sourceID, "groupBy": "region",
                    "metric": ["aggregate": "avg", "field": "amount"], "sort": ["by": "label", "direction": "asc"],
                ],
                [
                    "id": "latest", "title": "Latest", "kind": "table", "sourceId": sourceID,
                    "columns": ["id", "amount", "ordered_at"],
                    "sort": ["by": "field", "field": "ordered_at", "direction": "desc"],
                    "limit": 2,
                ],
            ]
        }
    }

    private func widgets(_ reply: [String: Any]) -> [[String: Any]] {
        reply["widgets"] as? [[String: Any]] ?? []
    }

    @Test(arguments: TestStore.all)
    func aDashboardShowsItsWidgetsFromTheCacheUntilTheNextSync(store: TestStore) throws {
        let setup = try Setup(store)
        let client = try setup.app.client()
        let created = try client.postJSON(
            "/api/v1/dashboards", ["name": "Sales", "description": "Orders", "widgets": setup.widgets],
            headers: setup.auth)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(try created.json()["id"] as? Int)
        #expect(
            widgets(try created.json()).compactMap { $0["id"] as? String } == setup.widgets.map { $0["id"] as! String })
        #expect((widgets(try created.json())[3]["sort"] as? [String: String]) == ["by": "value", "direction": "desc"])

        let first = widgets(try client.get("/api/v1/dashboards/\(id)/data", token: setup.viewer).json())
        #expect(first.map { $0["cached"] as? Bool } == Array(repeating: false, count: 6))
        let results = first.map { $0["result"] as? [String: Any] ?? [:] }
        #expect(results[0]["type"] as? String == "number")
        #expect(results[0]["value"] as? Double == 5)
        #expect(results[1]["value"] as? Double == 462.5)
        #expect(results[2]["type"] as? String == "series")
        let points = results[2]["points"] as? [[String: Any]] ?? []
        #expect(
            points.map { $0["time"] as? String } == [
                "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z",
            ])
        #expect(points.map { $0["value"] as? Double } == [2, 2, 1])
        let regions = results[3]["rows"] as? [[String: Any]] ?? []
        #expect(regions.map { $0["label"] as? String } == ["EU", "Other"])
        #expect(regions.map { $0["value"] as? Double } == [2, 3])
        #expect(regions.map { $0["other"] as? Bool } == [false, true])
        let share = results[4]["rows"] as? [[String: Any]] ?? []
        #expect(share.map { $0["label"] as? String } == ["APAC", "EU", "US"])
        #expect(share.first?["value"] is NSNull)
        #expect(results[5]["type"] as? String == "table")
        let records = results[5]["records"] as? [[String: Any]] ?? []
        #expect(records.map { $0["id"] as? Int } == [5, 4])
        #expect(records.first?["ordered_at"] as? String == "2026-03-10T08:45:00.000000Z")
        #expect(records.last?["amount"] is NSNull)

        let again = widgets(try client.get("/api/v1/dashboards/\(id)/data", token: setup.admin).json())
        #expect(again.map { $0["cached"] as? Bool } == Array(repeating: true, count: 6))

        try setup.app.importFile("orders.csv", Self.orders + "\n6,EU,10,true,2026-03-11T00:00:00Z")
        try setup.sync()
        let synced = widgets(try client.get("/api/v1/dashboards/\(id)/data", token: setup.viewer).json())
        #expect(synced.map { $0["cached"] as? Bool } == Array(repeating: false, count: 6))
        #expect((synced[0]["result"] as? [String: Any])?["value"] as? Double == 6)

        let listed = try client.get("/api/v1/dashboards", token: setup.viewer)
        #expect(listed.status == 200)
        #expect((try listed.json()["dashboards"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Sales"])
        #expect(try client.get("/api/v1/dashboards/\(id)", token: setup.viewer).status == 200)
        #expect(try client.get("/api/v1/dashboards/999", token: setup.viewer).status == 404)
        #expect(
            try client.get("/api/v1/openapi.json", token: setup.viewer).text.contains("/api/v1/dashboards/{id}/data"))
    }

    @Test(arguments: TestStore.all)
    func eachWidgetsStatementRunOnTheDatabaseGivesItsResult(store: TestStore) throws {
        let setup = try Setup(store)
        let client = try setup.app.client()
        let widgets =
            setup.widgets + [
                [
                    "id": "year", "title": "Last 12 months", "kind": "number", "sourceId": setup.sourceID,
                    "time": ["field": "ordered_at", "bucket": "month", "last": 12],
                ],
                [
                    "id": "europe", "title": "Europe", "kind": "line", "sourceId": setup.sourceID,
                    "metric": ["aggregate": "sum", "field": "amount"],
                    "time": ["field": "ordered_at", "bucket": "month", "last": 24],
                    "filters": [["field": "region", "op": "eq", "value": "EU"]],
                ],
            ]
        let created = try client.postJSON(
            "/api/v1/dashboards", ["name": "Sales", "widgets": widgets], headers: setup.auth)
        let id = try #require(try created.json()["id"] as? Int)

        let queries = try client.get("/api/v1/dashboards/\(id)/queries", token: setup.admin)
        #expect(queries.status == 200, "\(queries.text)")
        let data = self.widgets(try client.get("/api/v1/dashboards/\(id)/data", token: setup.admin).json())
        #expect(try queries.json()["dialect"] as? String == store.rawValue)
        let statements = self.widgets(try queries.json())
        #expect(statements.map { $0["id"] as? String } == widgets.map { $0["id"] as? String })
        #expect(statements.map { $0["title"] as? String } == data.map { $0["title"] as? String })
        #expect(data.allSatisfy { $0["cached"] as? Bool == false })

        for (statement, widget) in zip(statements, data) {
            let sql = try #require(statement["sql"] as? String, "\(statement)")
            let parameters = try (statement["parameters"] as? [[String: Any]] ?? []).map(Self.parameter)
            let rows = try setup.app.application.database.read { try $0.query(sql, parameters) }
            let result = try #require(widget["result"] as? [String: Any], "\(widget)")
            try Self.expect(rows, toGive: result, of: statement["id"] as? String ?? "")
        }
        let types = statements.map { ($0["parameters"] as? [[String: Any]] ?? []).map { $0["type"] as? String } }
        #expect(types[1] == ["bool"])
        #expect(types[6] == ["timestamp", "timestamp", "timestamp"])
        #expect(types[7] == ["text", "timestamp", "timestamp"])

        #expect(try client.get("/api/v1/dashboards/\(id)/queries", token: setup.viewer).status == 403)
        #expect(try client.get("/api/v1/dashboards/999/queries", token: setup.admin).status == 404)
        #expect(
            try client.get("/api/v1/openapi.json", token: setup.admin).text.contains("/api/v1/dashboards/{id}/queries"))
    }

    /// A parameter of the queries route as the value it stands for.
    private static func parameter(_ json: [String: Any]) throws -> DatabaseValue {
        let value = json["value"]
        switch json["type"] as? String {
        case "null": return .null
        case "integer": return .integer(Int64(try #require(value as? Int)))
        case "real": return .real(try #require(value as? Double))
        case "bool": return .bool(try #require(value as? Bool))
        case "text": return .text(try #require(value as? String))
        case "timestamp": return .timestamp(try #require(Timestamp.parse(value as? String ?? "")))
        default: throw ToolError(output: "unexpected parameter \(json)")
        }
    }

    /// Checks that the rows a widget's statement returned hold the values of its `result` from the
    /// data route; every metric here is a count or a sum, whose value over no records is 0.
    private static func expect(_ rows: [Row], toGive result: [String: Any], of widget: String) throws {
        let comment = Comment(rawValue: "widget \(widget): \(rows.map(\.values)) against \(result)")
        switch result["type"] as? String {
        case "number":
            let row = try #require(rows.first, comment)
            #expect(rows.count == 1, comment)
            #expect(try row.optionalDouble(0) ?? 0 == result["value"] as? Double, comment)
            if result["period"] is [String: Any] {
                #expect(try row.optionalDouble(1) ?? 0 == result["previousValue"] as? Double, comment)
            }
        case "series":
            var values: [Date: Double] = [:]
            for row in rows {
                values[try row.date(0)] = try row.optionalDouble(1) ?? 0
            }
            let points = result["points"] as? [[String: Any]] ?? []
            let times = points.compactMap { Timestamp.parse($0["time"] as? String ?? "") }
            #expect(!rows.isEmpty && times.count == points.count && Set(values.keys).isSubset(of: times), comment)
            for (time, point) in zip(times, points) {
                #expect(values[time] ?? 0 == point["value"] as? Double, comment)
            }
        case "groups":
            var groups: [String] = []
            for row in rows {
                let other = try row.int(0) == 1
                let folded = try row.int(3)
                // The row for Other comes even when no group was folded; it then counts none.
                if other && folded == 0 { continue }
                let label = try other ? "Other" : row.optionalString(1) ?? "null"
                let value = try row.optionalDouble(2).map { "\($0)" } ?? "null"
                groups.append("\(label) \(value) \(other)")
            }
            let expected = (result["rows"] as? [[String: Any]] ?? []).map { row in
                "\(row["label"] as? String ?? "null") \((row["value"] as? Double).map { "\($0)" } ?? "null") "
                    + "\(row["other"] as? Bool ?? false)"
            }
            #expect(!groups.isEmpty && groups == expected, comment)
        case "table":
            // The one table here lists the records' id, amount and ordered_at.
            let records = result["records"] as? [[String: Any]] ?? []
            #expect(!rows.isEmpty && rows.count == records.count, comment)
            for (row, record) in zip(rows, records) {
                #expect(try row.int(0) == Int64(record["id"] as? Int ?? -1), comment)
                #expect(try row.optionalDouble(1) == record["amount"] as? Double, comment)
                #expect(try row.optionalDate(2) == Timestamp.parse(record["ordered_at"] as? String ?? ""), comment)
            }
        default:
            Issue.record(comment)
        }
    }

    @Test(arguments: TestStore.all)
    func viewersReadButCannotChangeDashboards(store: TestStore) throws {
        let setup = try Setup(store)
        let client = try setup.app.client()
        let created = try client.postJSON("/api/v1/dashboards", ["name": "Sales"], headers: setup.auth)
        let id = try #require(try created.json()["id"] as? Int)
        let viewer = [("Authorization", "Bearer \(setup.viewer)")]
        #expect(try client.postJSON("/api/v1/dashboards", ["name": "Mine"], headers: viewer).status == 403)
        #expect(
            try client.postJSON("/api/v1/dashboards/\(id)", ["name": "X"], method: "PATCH", headers: viewer).status
                == 403)
        #expect(try client.request("DELETE", "/api/v1/dashboards/\(id)", headers: viewer).status == 403)
        #expect(try client.get("/api/v1/dashboards/\(id)/data", token: setup.viewer).status == 200)
        #expect(try client.get("/api/v1/dashboards", token: setup.viewer).status == 200)
    }

    @Test(arguments: TestStore.all)
    func invalidDashboardsAreRefusedWithTheirFieldsNamed(store: TestStore) throws {
        let setup = try Setup(store)
        let client = try setup.app.client()
        var widgets = setup.widgets
        widgets[1]["metric"] = ["aggregate": "sum", "field": "region"]
        widgets[2]["colour"] = "red"
        widgets[3]["groupBy"] = "regoin"
        widgets[4]["time"] = ["field": "amount", "bucket": "day"]
        let refused = try client.postJSON(
            "/api/v1/dashboards", ["name": "Sales", "widgets": widgets, "owner": "me"], headers: setup.auth)
        #expect(refused.status == 422)
        let fields = (try refused.json()["error"] as? [String: Any])?["fields"] as? [String: String] ?? [:]
        #expect(fields["owner"] == "Unknown field.")
        #expect(fields["widgets[2].colour"] == "Unknown field.")
        #expect(fields["widgets[4].time"] == "A donut widget takes no time.")

        widgets = setup.widgets
        widgets[1]["metric"] = ["aggregate": "sum", "field": "region"]
        widgets[3]["groupBy"] = "regoin"
        widgets[2]["time"] = ["field": "amount", "bucket": "day"]
        let unfit = try client.postJSON(
            "/api/v1/dashboards", ["name": "Sales", "widgets": widgets], headers: setup.auth)
        #expect(unfit.status == 422)
        let error = try unfit.json()["error"] as? [String: Any]
        #expect((error?["message"] as? String)?.contains("“Revenue”") == true)
        #expect(
            error?["fields"] as? [String: String] == [
                "widgets[1].metric.field": "region holds text values; sum needs integer or real.",
                "widgets[2].time.field": "amount holds real values; time buckets need a timestamp field.",
                "widgets[3].groupBy": "The source has no field regoin.",
            ])

        #expect(
            try client.request(
                "POST", "/api/v1/dashboards", headers: setup.auth + [("Content-Type", "application/json")],
                body: Array("{\"name\":".utf8)
            ).status == 400)
        #expect(try client.postJSON("/api/v1/dashboards", ["name": "Sales"], headers: setup.auth).status == 201)
        #expect(try client.postJSON("/api/v1/dashboards", ["name": "Sales"], headers: setup.auth).status == 409)
        #expect(try setup.app.auditEvents().filter { $0.action == "dashboard.create" }.count == 1)
    }

    @Test(arguments: TestStore.all)
    func dashboardsChangeKeepTheirWidgetIdsAndOutliveTheirSources(store: TestStore) throws {
        let setup = try Setup(store)
        let client = try setup.app.client()
        let created = try client.postJSON(
            "/api/v1/dashboards", ["name": "Sales", "widgets": Array(setup.widgets.prefix(2))], headers: setup.auth)
        let id = try #require(try created.json()["id"] as? Int)

        var stored = widgets(try created.json())
        stored.append(["title": "Added", "kind": "number", "sourceId": setup.sourceID])
        let changed = try client.postJSON(
            "/api/v1/dashboards/\(id)", ["name": "Revenue", "widgets": stored], method: "PATCH", headers: setup.auth)
        #expect(changed.status == 200, "\(changed.text)")
        let body = try changed.json()
        #expect(body["name"] as? String == "Revenue")
        #expect(body["description"] as? String == "")
        let ids = widgets(body).compactMap { $0["id"] as? String }
        #expect(ids.count == 3 && ids.prefix(2) == ["orders", "revenue"])
        let renamedOnly = try client.postJSON(
            "/api/v1/dashboards/\(id)", ["description": "Paid orders"], method: "PATCH", headers: setup.auth)
        #expect(widgets(try renamedOnly.json()).compactMap { $0["id"] as? String } == ids)

        #expect(try client.request("DELETE", "/api/v1/sources/\(setup.sourceID)", headers: setup.auth).status == 204)
        let data = try client.get("/api/v1/dashboards/\(id)/data", token: setup.viewer)
        #expect(data.status == 200)
        for widget in widgets(try data.json()) {
            #expect(widget["result"] == nil)
            #expect((widget["error"] as? [String: Any])?["code"] as? String == "source_missing")
        }
        let statements = widgets(try client.get("/api/v1/dashboards/\(id)/queries", token: setup.admin).json())
        #expect(statements.count == 3)
        for statement in statements {
            #expect(statement["sql"] == nil)
            #expect((statement["error"] as? [String: Any])?["code"] as? String == "source_missing")
        }

        #expect(try client.request("DELETE", "/api/v1/dashboards/\(id)", headers: setup.auth).status == 204)
        #expect(try client.get("/api/v1/dashboards/\(id)", token: setup.admin).status == 404)
        let actions = try setup.app.auditEvents().filter { $0.action.hasPrefix("dashboard.") }
        #expect(
            actions.map(\.action) == ["dashboard.create", "dashboard.update", "dashboard.update", "dashboard.delete"])
        #expect(actions.allSatisfy { $0.actor == "root" && $0.outcome == "success" })
    }
}
