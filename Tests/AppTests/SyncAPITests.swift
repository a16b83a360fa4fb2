import Foundation
import Sync
import TestSupport
import Testing

@testable import App

/// Sources, syncs and records through the API on a live server, on both stores.
@Suite("Sync API") struct SyncAPITests {
    private static let orders = """
        id,region,amount,paid,ordered_at,note
        1,EU,120.5,true,2026-01-05T10:00:00Z,first
        2,US,80,false,2026-01-06T11:30:00Z,"quoted, with comma"
        3,EU,42,true,2026-02-01T09:15:00Z,"=HYPERLINK(""http://evil.example"")"
        4,APAC,,false,2026-02-03T12:00:00Z,
        5,US,300,true,2026-03-10T08:45:00Z,-5+3
        """

    private func admin(_ app: RunningApplication) throws -> (token: String, auth: [(String, String)]) {
        try app.addUser("root", role: .admin)
        let token = try app.token("root")
        return (token, [("Authorization", "Bearer \(token)")])
    }

    @Test(arguments: TestStore.all)
    func aCSVSourceIsCreatedSyncedAndReadBack(store: TestStore) throws {
        let app = try RunningApplication(store)
        let (token, auth) = try admin(app)
        try app.importFile("orders.csv", Self.orders.replacingOccurrences(of: "\n", with: "\r\n"))
        let client = try app.client()

        let invalid = try client.postJSON(
            "/api/v1/sources", ["name": "orders", "kind": "csv", "csv": ["path": "../orders.csv", "colour": 1]],
            headers: auth)
        #expect(invalid.status == 422)
        let fields = try invalid.json()["error"] as? [String: Any]
        let problems = fields?["fields"] as? [String: String] ?? [:]
        #expect(problems["csv.path"] != nil)
        #expect(problems["csv.colour"] == "Unknown field.")

        let created = try client.postJSON(
            "/api/v1/sources",
            ["name": "orders", "kind": "csv", "primaryKey": "id", "csv": ["path": "orders.csv"]], headers: auth)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(try created.json()["id"] as? Int)

        let started = try client.request("POST", "/api/v1/sources/\(id)/syncs", headers: auth)
        #expect(started.status == 202, "\(started.text)")
        let runID = try #require(try started.json()["id"] as? Int)
        let run = try app.waitForRun(runID, token: token)
        #expect(run["status"] as? String == "succeeded", "\(run)")
        #expect(run["recordsRead"] as? Int == 5)

        let schema = try client.get("/api/v1/sources/\(id)/schema", token: token).json()
        let types = (schema["columns"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["field"] as! String] = $1["type"] as? String
        }
        #expect(
            types == [
                "id": "integer", "region": "text", "amount": "real", "paid": "boolean",
                "ordered_at": "timestamp", "note": "text",
            ])

        let page = try client.get("/api/v1/sources/\(id)/records?sort=-amount&limit=2", token: token).json()
        let records = page["records"] as? [[String: Any]] ?? []
        #expect(records.map { $0["id"] as? Int } == [5, 1])
        #expect(records.first?["paid"] as? Bool == true)
        let cursor = try #require(page["nextCursor"] as? String)
        let next = try client.get("/api/v1/sources/\(id)/records?sort=-amount&limit=2&after=\(cursor)", token: token)
            .json()
        #expect((next["records"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == [2, 3])
        let last = try client.get(
            "/api/v1/sources/\(id)/records?sort=-amount&limit=2&after=\(try #require(next["nextCursor"] as? String))",
            token: token
        ).json()
        #expect((last["records"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == [4])
        #expect(last["nextCursor"] is NSNull)
        // The sorted reads asked for a sort index on the field, which is built in the background.
        var indexed = false
        for _ in 0..<200 where !indexed {
            let columns = try client.get("/api/v1/sources/\(id)/schema", token: token).json()["columns"]
            indexed = (columns as? [[String: Any]] ?? []).contains {
                $0["field"] as? String == "amount" && $0["indexed"] as? Bool == true
            }
            if !indexed { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(indexed)

        let filtered = try client.get(
            "/api/v1/sources/\(id)/records?filter=region:eq:EU&filter=amount:gt:50", token: token
        ).json()
        #expect((filtered["records"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == [1])
        let searched = try client.get("/api/v1/sources/\(id)/records?q=COMMA", token: token).json()
        #expect((searched["records"] as? [[String: Any]] ?? []).map { $0["id"] as? Int } == [2])
        #expect(try client.get("/api/v1/sources/\(id)/records?filter=amount:gt:lots", token: token).status == 422)
        #expect(try client.get("/api/v1/sources/\(id)/records?sort=nope", token: token).status == 422)

        let csv = try client.get("/api/v1/sources/\(id)/records.csv?sort=id", token: token)
        #expect(csv.status == 200)
        let lines = csv.text.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "id,region,amount,paid,ordered_at,note")
        #expect(lines[3].hasSuffix(#","'=HYPERLINK(""http://evil.example"")""#))
        #expect(lines[5].hasSuffix(",'-5+3"))
        #expect(lines[2].contains(#""quoted, with comma""#))

        let events = try app.auditEvents()
        #expect(events.contains { $0.action == "source.create" && $0.actor == "root" })
        #expect(events.contains { $0.action == "sync.request" && $0.outcome == "success" })
        #expect(
            events.contains {
                $0.action == "sync.run" && $0.outcome == "success" && $0.details.contains("\"recordsRead\":\"5\"")
            })
    }

    @Test(arguments: TestStore.all)
    func viewersSeeNoConnectionDetailsAndManualSyncsAreThrottled(store: TestStore) throws {
        let app = try RunningApplication(store, environment: ["SYNCLINE_SYNC_MANUAL_PER_SOURCE": "2"])
        let (token, auth) = try admin(app)
        try app.addUser("vic", role: .viewer)
        let viewer = try app.token("vic")
        try app.importFile("orders.csv", Self.orders)
        let client = try app.client()
        let created = try client.postJSON(
            "/api/v1/sources", ["name": "orders", "kind": "csv", "csv": ["path": "orders.csv"]], headers: auth)
        let id = try #require(try created.json()["id"] as? Int)

        let seen = try client.get("/api/v1/sources", token: viewer).json()["sources"] as? [[String: Any]]
        #expect(seen?.first?["name"] as? String == "orders")
        #expect(seen?.first?["definition"] == nil)
        #expect(try client.get("/api/v1/sources/\(id)", token: viewer).text.contains("orders.csv") == false)
        #expect(try client.get("/api/v1/sources/\(id)", token: token).text.contains("orders.csv"))

        var statuses: [Int] = []
        for _ in 0..<3 {
            let reply = try client.request("POST", "/api/v1/sources/\(id)/syncs", headers: auth)
            statuses.append(reply.status)
            if reply.status == 202, let run = try reply.json()["id"] as? Int {
                _ = try app.waitForRun(run, token: token)
            }
            if reply.status == 429 {
                #expect(reply.headers.contains { $0.0.lowercased() == "retry-after" })
            }
        }
        #expect(statuses == [202, 202, 429])
        let denied = try app.auditEvents().filter { $0.action == "sync.request" && $0.outcome == "denied" }
        #expect(denied.count == 1)
    }

    @Test(arguments: TestStore.all)
    func aSourceInUseCannotBeDeletedAndTheTestAndDiscoverRoutesReport(store: TestStore) throws {
        let app = try RunningApplication(store)
        let (token, auth) = try admin(app)
        try app.importFile("orders.csv", Self.orders)
        let client = try app.client()
        let created = try client.postJSON(
            "/api/v1/sources", ["name": "orders", "kind": "csv", "csv": ["path": "orders.csv"]], headers: auth)
        let id = try #require(try created.json()["id"] as? Int)

        let test = try client.request("POST", "/api/v1/sources/\(id)/test", headers: auth).json()
        #expect(test["ok"] as? Bool == true)
        let discovered = try client.request("POST", "/api/v1/sources/\(id)/discover", headers: auth).json()
        let fields = (discovered["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(fields == ["id", "region", "amount", "paid", "ordered_at", "note"])

        let renamed = try client.postJSON(
            "/api/v1/sources/\(id)", ["csv": ["path": "missing.csv"]], method: "PATCH", headers: auth)
        #expect(renamed.status == 200)
        let broken = try client.request("POST", "/api/v1/sources/\(id)/test", headers: auth).json()
        #expect(broken["ok"] as? Bool == false)
        let kindChange = try client.postJSON(
            "/api/v1/sources/\(id)", ["kind": "sqlite", "csv": NSNull(), "sqlite": ["path": "x.db", "table": "t"]],
            method: "PATCH", headers: auth)
        #expect(kindChange.status == 422)

        #expect(try client.request("DELETE", "/api/v1/sources/\(id)", headers: auth).status == 204)
        #expect(try client.get("/api/v1/sources/\(id)", token: token).status == 404)
    }

    @Test(arguments: TestStore.all)
    func aCSVFileCanBeUploadedAndABrokenOneIsRefused(store: TestStore) throws {
        let app = try RunningApplication(store)
        let (token, auth) = try admin(app)
        let client = try app.client()
        let created = try client.postJSON(
            "/api/v1/sources", ["name": "uploaded", "kind": "csv", "primaryKey": "id", "csv": ["path": "later.csv"]],
            headers: auth)
        let id = try #require(try created.json()["id"] as? Int)

        let csv = [("Content-Type", "text/csv")]
        let broken = try client.request(
            "PUT", "/api/v1/sources/\(id)/file", headers: auth + csv, body: Array("id,id\n1,2\n".utf8))
        #expect(broken.status == 422, "\(broken.text)")
        let stored = try client.request(
            "PUT", "/api/v1/sources/\(id)/file", headers: auth + csv, body: Array(Self.orders.utf8))
        #expect(stored.status == 200, "\(stored.text)")
        let definition = try stored.json()["definition"] as? [String: Any]
        #expect((definition?["csv"] as? [String: Any])?["path"] as? String == "uploads/source-\(id).csv")
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: app.importDirectory.appendingPathComponent("uploads").path)
        #expect(leftovers == ["source-\(id).csv"])

        let started = try client.request("POST", "/api/v1/sources/\(id)/syncs", headers: auth)
        let run = try app.waitForRun(try #require(try started.json()["id"] as? Int), token: token)
        #expect(run["status"] as? String == "succeeded", "\(run)")
        #expect(run["recordsRead"] as? Int == 5)
    }

    @Test(arguments: TestStore.all)
    func aSourceSecretNeverReachesAResponseALogLineOrTheAuditLog(store: TestStore) throws {
        let secret = "sk-live-0123456789abcdef-secret"
        let app = try RunningApplication(
            store, environment: ["SYNCLINE_SOURCE_API_TOKEN": secret, "SYNCLINE_LOG_LEVEL": "debug"])
        let (token, auth) = try admin(app)
        let remote = try SourceTestServer(records: [["id": .integer(1), "name": .text("one")]])
        defer { remote.stop() }
        remote.fail(request: 1, with: .status(401))
        remote.fail(request: 2, with: .status(401))
        let client = try app.client()
        var replies: [String] = []
        let created = try client.postJSON(
            "/api/v1/sources",
            [
                "name": "guarded", "kind": "rest", "primaryKey": "id",
                "rest": [
                    "url": remote.url("/records"), "recordsPath": "data",
                    "auth": ["kind": "bearer", "tokenVariable": "SYNCLINE_SOURCE_API_TOKEN"],
                ],
            ], headers: auth)
        replies.append(created.text)
        let id = try #require(try created.json()["id"] as? Int)

        let check = try client.request("POST", "/api/v1/sources/\(id)/test", headers: auth)
        replies.append(check.text)
        #expect(try check.json()["ok"] as? Bool == false)
        let failedStart = try client.request("POST", "/api/v1/sources/\(id)/syncs", headers: auth)
        let failed = try app.waitForRun(try #require(try failedStart.json()["id"] as? Int), token: token)
        #expect(failed["status"] as? String == "failed")
        let goodStart = try client.request("POST", "/api/v1/sources/\(id)/syncs", headers: auth)
        let good = try app.waitForRun(try #require(try goodStart.json()["id"] as? Int), token: token)
        #expect(good["status"] as? String == "succeeded", "\(good)")
        #expect(remote.requests.contains { $0.headers["authorization"] == "Bearer \(secret)" })

        for path in [
            "/api/v1/sources", "/api/v1/sources/\(id)", "/api/v1/syncs", "/api/v1/audit?limit=500",
            "/api/v1/sources/\(id)/records", "/api/v1/openapi.json",
        ] {
            replies.append(try client.get(path, token: token).text)
        }
        replies.append(try client.get("/api/v1/audit.csv", token: token).text)
        app.application.audit.flush()
        let everything = replies + app.logs.lines + (try app.auditEvents()).map { "\($0)" }
        #expect(everything.contains { $0.contains("refused the credentials") || $0.contains("401") })
        #expect(!everything.contains { $0.contains(secret) })
    }
}
