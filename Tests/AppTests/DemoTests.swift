import Foundation
import TestSupport
import Testing

@testable import App

/// The development demo: the bundled orders, the tickets API, their sources and first syncs.
@Suite("Demo") struct DemoTests {
    @Test func anEmptyDevelopmentDatabaseGetsTheDemoAndItsFirstSyncsSucceed() throws {
        let app = try RunningApplication(.sqlite, environment: ["SYNCLINE_DEMO": "true"])
        try app.addUser("root", role: .admin)
        let token = try app.token("root")
        let client = try app.client()
        let sources = try client.get("/api/v1/sources", token: token).json()["sources"] as? [[String: Any]] ?? []
        #expect(sources.compactMap { $0["name"] as? String } == ["Demo orders", "Demo tickets"])

        let runs = try client.get("/api/v1/syncs", token: token).json()["runs"] as? [[String: Any]] ?? []
        #expect(runs.count == 2)
        for run in runs {
            let ended = try app.waitForRun(try #require(run["id"] as? Int), token: token, timeout: 120)
            #expect(ended["status"] as? String == "succeeded", "\(ended)")
        }
        let counted = try client.get("/api/v1/sources", token: token).json()["sources"] as? [[String: Any]] ?? []
        #expect(counted.first { $0["name"] as? String == "Demo orders" }?["recordCount"] as? Int == 50_000)
        let tickets = counted.first { $0["name"] as? String == "Demo tickets" }?["recordCount"] as? Int ?? 0
        #expect(tickets > 1_000 && tickets <= 1_800)

        // The tickets API pages by update time and filters by updated_since, as incremental syncs need.
        let all = try client.request("GET", "/demo/api/tickets?per_page=500").json()
        let total = try #require((all["meta"] as? [String: Any])?["total"] as? Int)
        #expect(total == tickets)
        let page = all["data"] as? [[String: Any]] ?? []
        let times = page.compactMap { $0["updated_at"] as? String }
        #expect(times == times.sorted())
        let since = try #require(times.last)
        let recent = try client.request("GET", "/demo/api/tickets?updated_since=\(since)").json()
        #expect(((recent["meta"] as? [String: Any])?["total"] as? Int ?? 0) < total)

        // Restarting the demo on a database that has sources adds nothing.
        #expect(try DemoSeeder(application: app.application).seedIfEmpty() == false)
    }

    @Test func theDemoIsRefusedInProduction() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try Configuration(environment: [
                "SYNCLINE_MODE": "production", "SYNCLINE_DEMO": "true", "SYNCLINE_BEHIND_TLS_PROXY": "true",
                "SYNCLINE_PUBLIC_URL": "https://syncline.example",
                "SYNCLINE_SESSION_SECRET": String(repeating: "s", count: 40),
                "SYNCLINE_AUDIT_KEY": String(repeating: "a", count: 40),
            ])
        }
    }
}
