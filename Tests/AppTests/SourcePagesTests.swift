import Core
import Foundation
import HTTP
import Storage
import Sync
import TestSupport
import Testing

@testable import App
@testable import Web

/// The sources pages and the data table on a live server, on both stores, asked the way a
/// browser asks: a session cookie, form bodies with the CSRF token, and an `Origin`.
@Suite("Source pages") struct SourcePagesTests {
    /// Sixty orders: every third amount empty, one note holding markup, one long note.
    private static let orders: String = {
        var lines = ["id,region,amount,paid,ordered_at,note"]
        for id in 1...60 {
            let region = ["EU", "US", "APAC"][id % 3]
            let amount = id % 3 == 0 ? "" : String(Double(id) * 100.5)
            let note =
                switch id {
                case 7: "<script>alert(1)</script>"
                case 8: String(repeating: "long ", count: 60)
                default: "order \(id)"
                }
            let day = String(format: "%02d", id % 28 + 1)
            lines.append("\(id),\(region),\(amount),\(id % 2 == 0),2026-01-\(day)T10:00:00Z,\(note)")
        }
        return lines.joined(separator: "\n")
    }()

    /// An application with an admin `root` and a viewer `vic`, signed in as browsers are.
    private struct Fixture {
        let app: RunningApplication
        let token: String
        let admin: BrowserSession
        let viewer: BrowserSession

        init(_ store: TestStore, environment: [String: String] = [:]) throws {
            app = try RunningApplication(store, environment: environment)
            try app.addUser("root", role: .admin)
            try app.addUser("vic", role: .viewer)
            token = try app.token("root")
            admin = try app.browserSession("root")
            viewer = try app.browserSession("vic")
        }

        /// Creates a CSV source over `orders.csv` through the API; returns its id.
        func addOrders(name: String = "orders", sync: Bool = true) throws -> Int {
            try app.importFile("orders.csv", SourcePagesTests.orders)
            let created = try app.client().postJSON(
                "/api/v1/sources",
                ["name": name, "kind": "csv", "primaryKey": "id", "csv": ["path": "orders.csv"]],
                headers: [("Authorization", "Bearer \(token)")])
            let id = try #require(try created.json()["id"] as? Int, "\(created.text)")
            if sync {
                let started = try app.client().request(
                    "POST", "/api/v1/sources/\(id)/syncs", headers: [("Authorization", "Bearer \(token)")])
                let run = try app.waitForRun(try #require(try started.json()["id"] as? Int), token: token)
                #expect(run["status"] as? String == "succeeded", "\(run)")
            }
            return id
        }
    }

    // MARK: The list

    @Test(arguments: TestStore.all)
    func theListShowsSourcesWithTheirLatestRunAndAnEmptyStateBeforeAny(store: TestStore) throws {
        let fixture = try Fixture(store)
        let client = try fixture.app.client()

        let emptyForAdmin = try client.page("/sources", as: fixture.admin)
        #expect(emptyForAdmin.status == 200)
        #expect(emptyForAdmin.text.contains("Add your first source"))
        let emptyForViewer = try client.page("/sources", as: fixture.viewer).text
        #expect(emptyForViewer.contains("No sources yet"))
        #expect(!emptyForViewer.contains("/sources/new"))

        let id = try fixture.addOrders()
        _ = try fixture.addOrders(name: "unsynced", sync: false)
        let list = try client.page("/sources", as: fixture.admin).text
        #expect(list.contains("<a href=\"/sources/\(id)\">orders</a>"))
        #expect(list.contains("Add source"))
        #expect(list.contains("CSV file"))
        #expect(list.contains("<span class=\"badge succeeded\">succeeded</span>"))
        #expect(list.contains("<span class=\"badge\">never synced</span>"))
        #expect(list.contains("<td class=\"number\">60</td>"))
        #expect(list.contains(#/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+ UTC">just now</time>/#))
        #expect(list.contains("manual"))

        let viewerList = try client.page("/sources", as: fixture.viewer).text
        #expect(viewerList.contains(">orders</a>"))
        #expect(!viewerList.contains("Add source"))
    }

    // MARK: Roles

    @Test(arguments: TestStore.all)
    func viewersSeeNoConnectionDetailsNoAdminControlsAndAreRefusedAdminPages(store: TestStore) throws {
        let fixture = try Fixture(store)
        let id = try fixture.addOrders()
        let client = try fixture.app.client()

        let asViewer = try client.page("/sources/\(id)", as: fixture.viewer)
        #expect(asViewer.status == 200)
        #expect(asViewer.text.contains("Browse records"))
        #expect(asViewer.text.contains("id"))
        for hidden in ["orders.csv", "Connection", "/edit", "Run sync now", "Test connection", "Delete"] {
            #expect(!asViewer.text.contains(hidden), "a viewer sees \(hidden)")
        }
        let asAdmin = try client.page("/sources/\(id)", as: fixture.admin).text
        for shown in ["orders.csv", "Connection", "/sources/\(id)/edit", "Run sync now", "Test connection", "Delete"] {
            #expect(asAdmin.contains(shown), "an admin misses \(shown)")
        }

        for path in ["/sources/new", "/sources/\(id)/edit"] {
            #expect(try client.page(path, as: fixture.viewer).status == 403, "\(path)")
        }
        for path in ["new", "\(id)/edit", "\(id)/delete", "\(id)/test", "\(id)/discover", "\(id)/sync", "\(id)/cancel"]
        {
            let reply = try client.submit("/sources/\(path)", ["name": "taken over"], as: fixture.viewer)
            #expect(reply.status == 403, "POST /sources/\(path) gave \(reply.status) to a viewer")
        }
        #expect(try fixture.app.application.sync.sources.find(id: Int64(id))?.name == "orders")

        let withoutToken = try client.request(
            "POST", "/sources/\(id)/sync",
            headers: fixture.admin.cookieHeader + [
                ("Origin", "http://127.0.0.1:8080"), ("Content-Type", "application/x-www-form-urlencoded"),
            ], body: Array("run=1".utf8))
        #expect(withoutToken.status == 403)
    }

    // MARK: The form

    @Test(arguments: TestStore.all)
    func aFormWithProblemsKeepsItsValuesAndShowsEachBesideItsInputThenSaves(store: TestStore) throws {
        let fixture = try Fixture(store)
        try fixture.app.importFile("orders.csv", Self.orders)
        let client = try fixture.app.client()

        let blank = try client.page("/sources/new", as: fixture.admin)
        #expect(blank.status == 200)
        for kind in ["REST API options", "CSV file options", "PostgreSQL options", "SQLite file options"] {
            #expect(blank.text.contains(kind))
        }

        var fields = [
            "name": "<script>alert(1)</script>", "kind": "csv", "mode": "full", "primaryKey": "id",
            "schedule": "interval", "schedule.everyMinutes": "soon", "csv.path": "../orders.csv", "csv.delimiter": ",",
            "csv.hasHeader": "true", "rest.url": "ftp://ignored.example",
        ]
        let refused = try client.submit("/sources/new", fields, as: fixture.admin)
        #expect(refused.status == 422)
        let page = refused.text
        #expect(page.contains("3 fields need attention"))
        #expect(!page.contains("<script>alert(1)</script>"))
        #expect(page.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        #expect(page.contains("value=\"../orders.csv\""))
        #expect(page.contains("value=\"soon\""))
        let pathInput =
            #"name="csv.path" type="text" value="../orders.csv" aria-invalid="true" "#
            + #"aria-describedby="field-csv.path-hint field-csv.path-error""#
        #expect(page.contains(pathInput))
        #expect(page.contains(#"<span class="field-error" id="field-csv.path-error">Must be a relative path"#))
        #expect(page.contains(#"id="field-name-error""#))
        #expect(page.contains(#"id="field-schedule.everyMinutes-error""#))
        #expect(!page.contains(#"id="field-rest.url-error""#), "options of another kind are not read")

        let rest = try client.submit(
            "/sources/new",
            ["name": "api", "kind": "rest", "mode": "incremental", "rest.url": "ftp://x", "schedule": "none"],
            as: fixture.admin
        ).text
        for input in ["primaryKey", "cursor.field", "rest.url", "rest.cursorParameter"] {
            #expect(rest.contains("id=\"field-\(input)-error\""), "\(input) has no message")
        }

        fields["name"] = "orders"
        fields["schedule.everyMinutes"] = "15"
        fields["csv.path"] = "orders.csv"
        let created = try client.submit("/sources/new", fields, as: fixture.admin)
        #expect(created.status == 303)
        let location = try #require(created.header("Location"))
        #expect(location.hasSuffix("?notice=created"))
        let shown = try client.page(location, as: fixture.admin).text
        #expect(shown.contains("Source created."))
        #expect(shown.contains("Every 15 minutes"))
        let id = try #require(Int(location.dropFirst("/sources/".count).prefix { $0.isNumber }))

        let edit = try client.page("/sources/\(id)/edit", as: fixture.admin).text
        #expect(edit.contains("value=\"orders.csv\""))
        #expect(edit.contains("value=\"15\""))
        #expect(!edit.contains("name=\"kind\""), "the kind cannot change")
        fields["name"] = "orders 2026"
        fields["schedule"] = "cron"
        fields["schedule.cron"] = "0 6 * * 1"
        let saved = try client.submit("/sources/\(id)/edit", fields, as: fixture.admin)
        #expect(saved.status == 303, "\(saved.text)")
        #expect(try fixture.app.application.sync.sources.find(id: Int64(id))?.name == "orders 2026")
        fields["schedule.cron"] = "61 * * * *"
        #expect(
            try client.submit("/sources/\(id)/edit", fields, as: fixture.admin).text.contains(
                "field-schedule.cron-error"))

        let deleted = try client.submit("/sources/\(id)/delete", [:], as: fixture.admin)
        #expect(deleted.status == 303)
        #expect(deleted.header("Location") == "/sources?notice=deleted")
        let events = try fixture.app.auditEvents().filter { $0.actor == "root" }.map(\.action)
        #expect(
            events.contains("source.create") && events.contains("source.update") && events.contains("source.delete"))
    }

    // MARK: Syncs

    @Test(arguments: TestStore.all)
    func aSyncStartedFromThePageIsFollowedCancelledRunAgainAndThrottled(store: TestStore) throws {
        let fixture = try Fixture(store, environment: ["SYNCLINE_SYNC_MANUAL_PER_SOURCE": "2"])
        let remote = try SourceTestServer(
            records: (1...30).map { ["id": .integer(Int64($0)), "name": .text("item \($0)")] })
        defer { remote.stop() }
        remote.fail(request: 1, with: .slow(seconds: 10))
        let created = try fixture.app.client().postJSON(
            "/api/v1/sources",
            [
                "name": "items", "kind": "rest", "primaryKey": "id",
                "rest": ["url": remote.url("/records"), "recordsPath": "data"],
            ],
            headers: [("Authorization", "Bearer \(fixture.token)")])
        let id = try #require(try created.json()["id"] as? Int)
        let client = try fixture.app.client()

        let started = try client.submit("/sources/\(id)/sync", [:], as: fixture.admin)
        #expect(started.status == 303)
        #expect(started.header("Location") == "/sources/\(id)?notice=sync-started")
        let running = try client.page("/sources/\(id)?notice=sync-started", as: fixture.admin).text
        #expect(running.contains("Sync started."))
        let match = try #require(running.firstMatch(of: #/data-sync-run="(\d+)"/#))
        let runID = try #require(Int(match.1))
        #expect(running.contains("<div class=\"progress\"><span></span></div>"))
        #expect(running.contains("data-field=\"recordsRead\""))
        #expect(!running.contains("Run sync now"))
        let forViewer = try client.page("/sources/\(id)", as: fixture.viewer).text
        #expect(forViewer.contains("data-sync-run=\"\(runID)\""))
        #expect(!forViewer.contains("Cancel sync"))

        let cancelled = try client.submit("/sources/\(id)/cancel", ["run": String(runID)], as: fixture.admin)
        #expect(cancelled.status == 303)
        #expect(try fixture.app.waitForRun(runID, token: fixture.token)["status"] as? String == "cancelled")

        #expect(try client.submit("/sources/\(id)/sync", [:], as: fixture.admin).status == 303)
        let second = try #require(try fixture.app.application.sync.queue.list(sourceID: Int64(id), limit: 1).first)
        let secondID = Int(second.id)
        #expect(secondID != runID)
        #expect(try fixture.app.waitForRun(secondID, token: fixture.token)["status"] as? String == "succeeded")
        let done = try client.page("/sources/\(id)", as: fixture.admin).text
        #expect(done.contains("<span class=\"badge succeeded\">succeeded</span>"))
        #expect(done.contains("<span class=\"badge cancelled\">cancelled</span>"))
        #expect(done.contains("<dt>Records</dt><dd>30</dd>"))
        #expect(!done.contains("data-sync-run"))

        let throttled = try client.submit("/sources/\(id)/sync", [:], as: fixture.admin)
        #expect(throttled.status == 429)
        #expect(throttled.header("Retry-After") != nil)
        #expect(throttled.text.contains("Too many manual syncs"))
        let events = try fixture.app.auditEvents().filter { $0.action.hasPrefix("sync.") && $0.actor == "root" }
        #expect(events.filter { $0.action == "sync.request" }.map(\.outcome) == ["success", "success", "denied"])
        #expect(events.contains { $0.action == "sync.cancel" })

        // The pages and the API share one throttle: the source's manual runs are spent for both.
        let viaAPI = try client.request(
            "POST", "/api/v1/sources/\(id)/syncs", headers: [("Authorization", "Bearer \(fixture.token)")])
        #expect(viaAPI.status == 429)
    }

    @Test(arguments: TestStore.all)
    func testingAndDiscoveringShowTheirOutcomeOnThePage(store: TestStore) throws {
        let fixture = try Fixture(store)
        let id = try fixture.addOrders(sync: false)
        let client = try fixture.app.client()

        let tested = try client.submit("/sources/\(id)/test", [:], as: fixture.admin)
        #expect(tested.status == 200)
        #expect(tested.text.contains("The connection works: orders.csv"))
        let discovered = try client.submit("/sources/\(id)/discover", [:], as: fixture.admin).text
        #expect(discovered.contains("Discovered fields"))
        #expect(discovered.contains("<tr><td>ordered_at</td><td>timestamp</td>"))

        try FileManager.default.removeItem(at: fixture.app.importDirectory.appendingPathComponent("orders.csv"))
        let failed = try client.submit("/sources/\(id)/test", [:], as: fixture.admin).text
        #expect(failed.contains("notice-error"))
        #expect(failed.contains("The connection failed:"))
    }

    // MARK: The data table

    @Test(arguments: TestStore.all)
    func theDataTableSortsFiltersSearchesAndPages(store: TestStore) throws {
        let fixture = try Fixture(store)
        let id = try fixture.addOrders()
        let client = try fixture.app.client()
        let path = "/sources/\(id)/records"

        let byKey = try client.page(path, as: fixture.viewer)
        #expect(byKey.status == 200)
        #expect(Self.ids(byKey.text).count == 50)
        let first = try client.page(path + "?sort=id", as: fixture.viewer)
        #expect(Self.ids(first.text) == Array(1...50))
        #expect(first.text.contains("<td class=\"number\">1,105.5</td>"), "amounts are grouped")
        #expect(first.text.contains("<td>yes</td>") && first.text.contains("<td>no</td>"))
        #expect(first.text.contains("<time datetime=\"2026-01-09T10:00:00.000000Z\">2026-01-09 10:00:00 UTC</time>"))
        #expect(first.text.contains("<td class=\"null\">null</td>"))
        #expect(first.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !first.text.contains("<script>alert"))
        #expect(first.text.contains(#/<td title="(long ){60}">(long ){40}…</td>/#))
        #expect(byKey.text.contains("href=\"/api/v1/sources/\(id)/records.csv\""))

        let sorted = try client.page(path + "?sort=-amount", as: fixture.viewer).text
        #expect(Self.ids(sorted).prefix(3) == [59, 58, 56])
        let header = #/<th scope="col" class="number" aria-sort="descending" title="real"><a href="([^"]*)">amount/#
        #expect(sorted.firstMatch(of: header)?.1 == "/sources/\(id)/records?sort=amount", "the header sorts ascending")
        let ascending = try client.page(path + "?sort=amount", as: fixture.viewer).text
        #expect(Self.ids(ascending).prefix(3) == [1, 2, 4])
        #expect(ascending.contains("aria-sort=\"ascending\""))

        let added = try client.page(path + "?add_field=region&add_op=eq&add_value=EU&sort=id", as: fixture.viewer)
        #expect(added.status == 303)
        let filteredPath = try #require(added.header("Location"))
        #expect(filteredPath == path + "?filter=region%3Aeq%3AEU&sort=id")
        let filtered = try client.page(filteredPath, as: fixture.viewer).text
        #expect(Self.ids(filtered) == Array(stride(from: 3, through: 60, by: 3)))
        #expect(filtered.contains("region = “EU”"))
        #expect(filtered.contains("aria-label=\"Remove filter region = “EU”\""))
        #expect(filtered.contains("/api/v1/sources/\(id)/records.csv?filter=region%3Aeq%3AEU&amp;sort=id"))
        let both = try client.page(filteredPath + "&filter=amount%3Anull", as: fixture.viewer).text
        #expect(Self.ids(both).count == 20)
        let none = try client.page(filteredPath + "&filter=amount%3Anotnull", as: fixture.viewer).text
        #expect(none.contains("No records match"))
        let paid = try client.page(path + "?add_field=paid&add_op=eq&add_value=Yes", as: fixture.viewer)
        #expect(paid.header("Location") == path + "?filter=paid%3Aeq%3Atrue", "yes reads as true")

        let searched = try client.page(path + "?q=SCRIPT", as: fixture.viewer).text
        #expect(Self.ids(searched) == [7])

        let chosen = try client.page(path + "?fields=id&fields=note&limit=25", as: fixture.viewer).text
        #expect(chosen.contains("Columns (2 of 6 shown)"))
        #expect(!chosen.contains(">amount</a>"))

        var seen: [Int] = []
        var next: String? = path + "?limit=25&sort=-id"
        var pages = 0
        while let link = next {
            let page = try client.page(link.replacingOccurrences(of: "&amp;", with: "&"), as: fixture.viewer).text
            seen += Self.ids(page)
            pages += 1
            next = page.firstMatch(of: #/rel="next" href="([^"]+)"/#).map { String($0.1) }
            if pages > 1 { #expect(page.contains(">First page</a>")) }
        }
        #expect(pages == 3)
        #expect(seen == Array((1...60).reversed()))

        let bad = try client.page(path + "?filter=amount%3Agt%3Alots", as: fixture.viewer)
        #expect(bad.status == 422)
        #expect(bad.text.contains("lots is not a valid real."))
        #expect(bad.text.contains("Filter amount &gt; “lots”"))
        #expect(bad.text.contains("aria-label=\"Remove filter amount &gt; “lots”\""))
        let unknown = try client.page(path + "?sort=colour", as: fixture.viewer)
        #expect(unknown.status == 422)
        #expect(unknown.text.contains("Sort by key"))

        let empty = try fixture.addOrders(name: "later", sync: false)
        let nothing = try client.page("/sources/\(empty)/records", as: fixture.viewer).text
        #expect(nothing.contains("No records yet"))
        #expect(try client.page("/sources/\(empty)/records", as: fixture.admin).text.contains("Run sync now"))
    }

    @Test(arguments: TestStore.all)
    func everyPageCarriesTheCSPAndNeitherInlineScriptNorStyle(store: TestStore) throws {
        let fixture = try Fixture(store)
        let id = try fixture.addOrders()
        let client = try fixture.app.client()
        var replies = [
            try client.page("/sources", as: fixture.admin), try client.page("/sources/new", as: fixture.admin),
            try client.page("/sources/\(id)", as: fixture.admin), try client.page("/sources/\(id)", as: fixture.viewer),
            try client.page("/sources/\(id)/edit", as: fixture.admin),
            try client.page("/sources/\(id)/records?sort=-amount&filter=region%3Aeq%3AEU", as: fixture.viewer),
            try client.page("/sources/\(id)/records?filter=amount%3Agt%3Alots", as: fixture.viewer),
            try client.page("/sources/999", as: fixture.viewer),
            try client.submit("/sources/new", ["name": "<b>", "kind": "sqlite"], as: fixture.admin),
            try client.submit("/sources/\(id)/discover", [:], as: fixture.admin),
        ]
        replies.append(try client.submit("/sources/\(id)/test", [:], as: fixture.admin))
        for reply in replies {
            let policy = reply.header("Content-Security-Policy") ?? ""
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(reply.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(reply.text.firstMatch(of: #/<script(?![^>]*\bsrc=)/#) == nil, "inline script")
            #expect(reply.text.firstMatch(of: #/\sstyle=|<style/#) == nil, "inline style")
        }
        #expect(replies[7].status == 404)
    }

    // MARK: Speed

    @Test(arguments: TestStore.all)
    func aPageOfFiftyRecordsRendersQuicklyOnAMillionRecords(store: TestStore) throws {
        let fixture = try Fixture(store)
        let id = try fixture.addOrders()
        try fixture.app.application.database.transaction { connection in
            let numbers =
                connection.dialect == .postgres
                ? "SELECT i FROM generate_series(61, 1000000) AS n(i)"
                : "WITH RECURSIVE n(i) AS (SELECT 61 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT i FROM n"
            let text = connection.dialect == .postgres ? "i::text" : "CAST(i AS TEXT)"
            let paid = connection.dialect == .postgres ? "i % 2 = 0" : "i % 2"
            let now = connection.dialect == .postgres ? "now()" : "'2026-01-01T00:00:00.000000Z'"
            try connection.execute(
                """
                INSERT INTO records_\(id) (__pk, __first_seen, __last_updated, __sync_run, id, region, amount, paid,
                    ordered_at, note)
                SELECT \(text), \(now), \(now), 1, i, 'EU', i * 1.5, \(paid), \(now), 'order ' || \(text)
                FROM (\(numbers)) AS s
                """)
            try connection.execute("UPDATE sources SET record_count = 1000000 WHERE id = $1", [.integer(Int64(id))])
        }
        let client = try fixture.app.client()
        let path = "/sources/\(id)/records"
        let first = try client.page(path, as: fixture.viewer).text
        #expect(first.contains("1,000,000 records"))
        let next = try #require(first.firstMatch(of: #/rel="next" href="([^"]+)"/#).map { String($0.1) })
        // The fastest of ten, since other tests share the cores: a page that sorted or counted
        // the table would take a tenth of a second or more even then.
        for link in [path, next.replacingOccurrences(of: "&amp;", with: "&")] {
            var fastest = Double.infinity
            for _ in 0..<10 {
                let start = ContinuousClock.now
                let reply = try client.page(link, as: fixture.viewer)
                fastest = min(fastest, (ContinuousClock.now - start).seconds * 1000)
                #expect(Self.ids(reply.text).count == 50)
            }
            #expect(fastest < 20, "\(link) took \(fastest) ms")
        }
    }

    /// The ids in the first column of a data table page, top to bottom.
    private static func ids(_ page: String) -> [Int] {
        page.matches(of: #/<tr><td class="number">([\d,]+)</td>/#).compactMap {
            Int($0.1.replacingOccurrences(of: ",", with: ""))
        }
    }
}

/// The source form and the formats of the pages, without a server.
@Suite("Source page parts") struct SourcePagePartsTests {
    @Test(arguments: [
        #"{"name": "api", "kind": "rest", "mode": "incremental", "primaryKey": ["id", "region"], "#
            + #""cursor": {"field": "updated_at", "lookback": 300}, "schedule": {"everySeconds": 900}, "#
            + #""rest": {"url": "https://api.example.com/v1/orders", "recordsPath": "data.items", "#
            + #""pagination": {"style": "cursor", "parameter": "after", "tokenPath": "meta.next"}, "#
            + #""auth": {"kind": "apiKey", "header": "X-Key", "variable": "SYNCLINE_SOURCE_KEY"}, "#
            + #""headers": {"Accept": "application/json"}, "cursorParameter": "since", "#
            + #""requestsPerSecond": 2.5, "timeoutSeconds": 10, "maxRetries": 0}}"#,
        #"{"name": "orders", "kind": "csv", "primaryKey": "id", "marksDeleted": true, "#
            + #""schedule": {"cron": "*/15 * * * *"}, "#
            + #""csv": {"path": "in/orders.csv", "delimiter": "\t", "hasHeader": false}}"#,
        #"{"name": "erp", "kind": "postgres", "postgres": {"urlVariable": "SYNCLINE_SOURCE_ERP", "#
            + #""query": "SELECT id, total FROM orders"}}"#,
        #"{"name": "shop", "kind": "sqlite", "sqlite": {"path": "shop.db", "table": "main.items"}}"#,
        #"{"name": "paged", "kind": "rest", "rest": {"url": "http://127.0.0.1/r", "#
            + #""pagination": {"style": "page", "parameter": "p", "firstPage": 0, "sizeParameter": "n", "size": 100}, "#
            + #""auth": {"kind": "basic", "username": "me", "passwordVariable": "SYNCLINE_SOURCE_PASSWORD"}}}"#,
    ])
    func everyDefinitionReadsBackFromItsOwnForm(json: String) throws {
        let definition = try SourceDefinition(jsonText: Array(json.utf8))
        var form = SourceForm(definition)
        #expect(form.definition() == definition, "\(form.problems)")
    }

    @Test func problemsLandOnTheInputThatShowsThem() {
        #expect(SourceForm.input(forProblemAt: "rest.pagination.size") == "rest.pagination.size")
        #expect(SourceForm.input(forProblemAt: "rest.headers.X-Key") == "rest.headers")
        #expect(SourceForm.input(forProblemAt: "schedule.everySeconds") == "schedule.everyMinutes")
        #expect(SourceForm.input(forProblemAt: "cursor") == "cursor.field")
        #expect(SourceForm.input(forProblemAt: "rest.auth") == "rest.auth.kind")
    }

    @Test func numbersAndTimesReadAsPeopleWriteThem() {
        #expect(DisplayFormat.integer(1_234_567) == "1,234,567")
        #expect(DisplayFormat.integer(-1_000) == "-1,000")
        #expect(DisplayFormat.integer(999) == "999")
        #expect(DisplayFormat.real(1_234.5) == "1,234.5")
        #expect(DisplayFormat.real(-80) == "-80")
        #expect(DisplayFormat.real(1e20) == "1e+20")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DisplayFormat.relative(now.addingTimeInterval(-10), now: now) == "just now")
        #expect(DisplayFormat.relative(now.addingTimeInterval(-300), now: now) == "5 minutes ago")
        #expect(DisplayFormat.relative(now.addingTimeInterval(-60), now: now) == "1 minute ago")
        #expect(DisplayFormat.relative(now.addingTimeInterval(7_200), now: now) == "in 2 hours")
        #expect(DisplayFormat.relative(now.addingTimeInterval(-3 * 86_400), now: now) == "3 days ago")
        #expect(DisplayFormat.utc(now) == "2027-01-15 08:00:00 UTC")
        #expect(DisplayFormat.duration(185) == "3 min 5 s")
        #expect(DisplayFormat.count(1_250, "record") == "1,250 records")
    }
}

extension BrowserSession {
    /// The session cookie alone, as a browser sends it with every request.
    var cookieHeader: [(String, String)] { [("Cookie", "syncline_session=\(cookie)")] }
}

extension RawHTTPClient {
    /// A page, asked for with the session cookie.
    func page(_ path: String, as session: BrowserSession) throws -> Reply {
        try request("GET", path, headers: session.cookieHeader)
    }

    /// A form as a browser submits it from a Syncline page: its fields and the CSRF token,
    /// form-encoded, with the cookie and this site's `Origin`.
    func submit(_ path: String, _ fields: [String: String], as session: BrowserSession) throws -> Reply {
        let body = (fields.sorted { $0.key < $1.key } + [("csrf_token", session.csrfToken)])
            .map { PercentEncoding.encodeComponent($0.0) + "=" + PercentEncoding.encodeComponent($0.1) }
            .joined(separator: "&")
        return try request(
            "POST", path,
            headers: session.cookieHeader + [
                ("Origin", "http://127.0.0.1:8080"), ("Content-Type", "application/x-www-form-urlencoded"),
            ], body: Array(body.utf8))
    }
}
