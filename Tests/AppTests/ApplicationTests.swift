import Audit
import Core
import Foundation
import TestSupport
import Testing

@testable import App

@Suite("Application") struct ApplicationTests {
    static let metricsToken = String(repeating: "m", count: 40)

    @Test func healthAndReadiness() throws {
        let app = try RunningApplication()
        let client = try app.client()
        let health = try client.request("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok"}"#)
        let ready = try client.request("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(ready.text == #"{"status":"ready"}"#)
    }

    @Test func metricsNeedTheToken() throws {
        let app = try RunningApplication(environment: ["SYNCLINE_METRICS_TOKEN": Self.metricsToken])
        let client = try app.client()
        _ = try client.request("GET", "/healthz")
        #expect(try client.request("GET", "/metrics").status == 401)
        #expect(try client.request("GET", "/metrics", headers: [("Authorization", "Bearer wrong")]).status == 401)
        let metrics = try client.request("GET", "/metrics", headers: [("Authorization", "Bearer \(Self.metricsToken)")])
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.text.contains(#"syncline_http_requests_total{method="GET",route="/healthz",status="200"} 1"#))
        #expect(metrics.text.contains(#"syncline_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 1"#))
        #expect(metrics.text.contains("syncline_http_requests_in_flight 1"))
        #expect(metrics.text.contains("syncline_db_pool"))
    }

    @Test func metricsAreForAdminsWithoutAConfiguredToken() throws {
        let app = try RunningApplication()
        try app.addUser("ops", role: .admin)
        try app.addUser("reader", role: .viewer)
        let client = try app.client()
        #expect(try client.request("GET", "/metrics", headers: [("Authorization", "Bearer ")]).status == 401)
        #expect(try client.get("/metrics", token: try app.token("reader")).status == 403)
        #expect(try client.get("/metrics", token: try app.token("ops")).status == 200)
    }

    @Test func openAPIDocumentDescribesTheAPI() throws {
        let app = try RunningApplication()
        try app.addUser("reader", role: .viewer)
        #expect(try app.client().request("GET", "/api/v1/openapi.json").status == 401)
        let reply = try app.client().get("/api/v1/openapi.json", token: try app.token("reader"))
        #expect(reply.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(paths["/api/v1/openapi.json"] != nil)
        #expect(paths["/api/v1/auth/login"] != nil)
        #expect(paths["/api/v1/users/{id}"] != nil)
        #expect(paths["/healthz"] == nil)
    }

    @Test func accessLogLinesCarryTheRequestID() throws {
        let app = try RunningApplication()
        _ = try app.client().request("GET", "/healthz", headers: [("X-Request-Id", "trace-42")])
        let line = try #require(app.logs.lines.first { $0.contains("\"route\":\"/healthz\"") })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(fields["requestId"] == "trace-42")
        #expect(fields["status"] == "200")
        #expect(fields["level"] == "info")
    }

    @Test func startupRefusesADatabaseNewerThanTheBinary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-newer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "SYNCLINE_LISTEN": "127.0.0.1:0", "SYNCLINE_DATABASE_URL": "sqlite:\(directory.path)/db",
            "SYNCLINE_IMPORT_DIR": directory.path + "/import", "SYNCLINE_DEMO": "false",
        ]
        let configuration = try Configuration(environment: environment)
        let logger = Logger(label: "test", sink: MemoryLogSink())
        do {
            let first = try Application(configuration: configuration, logger: logger)
            _ = try first.database.write { connection in
                try connection.execute(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (999, 'future', '2030-01-01T00:00:00Z')
                    """
                )
            }
            first.stop(gracePeriod: .zero)
        }
        #expect(throws: (any Error).self) { _ = try Application(configuration: configuration, logger: logger) }
    }

    @Test(arguments: TestStore.all)
    func auditRetentionPrunesOldEntriesAndTheChainStillVerifies(store: TestStore) throws {
        let database = try ScratchDatabase(store)
        let key = String(repeating: "a", count: 40)
        do {
            let app = try RunningApplication(store, on: database)
            for day in [30, 20, 10, 0] {
                app.application.audit.record(
                    AuditEvent(
                        occurredAt: Date().addingTimeInterval(-Double(day) * 86_400), actor: "test",
                        action: "test.event",
                        outcome: .success))
            }
            app.application.audit.flush()
        }
        let app = try RunningApplication(store, on: database, environment: ["SYNCLINE_AUDIT_RETENTION_DAYS": "15"])
        var remaining: Int64 = -1
        for _ in 0..<50 {
            remaining = try app.application.database.read { connection in
                try connection.queryOne("SELECT count(*) FROM audit_events WHERE action = 'test.event'")?.int(0) ?? -1
            }
            if remaining == 2 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(remaining == 2)
        app.application.audit.flush()
        let verification = try AuditVerifier(database: app.application.database, key: Array(key.utf8)).verify()
        #expect(verification.isIntact)
    }
}
