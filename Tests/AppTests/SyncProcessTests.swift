import Core
import Foundation
import Storage
import Sync
import TestSupport
import Testing

/// Syncs across real server processes: a crash mid-sync, and two instances sharing PostgreSQL.
@Suite("Sync across processes", .serialized) struct SyncProcessTests {
    private static let password = "correct horse battery staple"

    private static func records(_ count: Int) -> [[String: RecordValue]] {
        (1...count).map { id -> [String: RecordValue] in
            let updated = String(format: "2026-11-%02dT%02d:%02d:00Z", 1 + id / 1440, (id / 60) % 24, id % 60)
            var record: [String: RecordValue] = [:]
            record["id"] = .integer(Int64(id))
            record["name"] = .text("record \(id) – ünïcode")
            record["amount"] = .real(Double(id) / 4)
            record["updated_at"] = .text(updated)
            return record
        }
    }

    /// The environment of a server on `database`, with short leases so a takeover is quick.
    private static func environment(_ database: ScratchDatabase) -> [String: String] {
        [
            "SYNCLINE_DATABASE_URL": database.url, "SYNCLINE_SESSION_SECRET": String(repeating: "s", count: 40),
            "SYNCLINE_AUDIT_KEY": String(repeating: "a", count: 40), "SYNCLINE_SYNC_LEASE": "3",
            "SYNCLINE_SYNC_POLL": "1", "SYNCLINE_PUBLIC_URL": "http://127.0.0.1:8080",
            "SYNCLINE_IMPORT_DIR": FileManager.default.temporaryDirectory.path,
            "SYNCLINE_AUDIT_API_ACCESS": "false", "SYNCLINE_LOG_LEVEL": "info", "SYNCLINE_DEMO": "false",
        ]
    }

    private static func token(_ server: ServerProcess, environment: [String: String]) throws -> String {
        let add = try runTool(
            ServerProcess.binary.path, ["user", "add", "root", "--role", "admin"], input: password + "\n",
            environment: environment)
        guard add.status == 0 || add.output.contains("taken") else { throw ToolError(output: add.output) }
        let reply = try RawHTTPClient(port: server.port).request(
            "POST", "/api/v1/auth/token", headers: [("Content-Type", "application/json")],
            body: Array(#"{"username":"root","password":"\#(password)"}"#.utf8))
        guard
            let token = (try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])?["token"]
                as? String
        else { throw ToolError(output: "sign-in failed: \(reply.status)") }
        return token
    }

    private static func call(
        _ server: ServerProcess, _ method: String, _ path: String, token: String, body: String = ""
    ) throws -> [String: Any] {
        var headers = [("Authorization", "Bearer \(token)")]
        if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
        let reply = try RawHTTPClient(port: server.port).request(method, path, headers: headers, body: Array(body.utf8))
        return (try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]) ?? [:]
    }

    /// Polls run `id` on `server` until it ends, for at most a minute; returns its last state.
    private static func waitForRun(_ id: Int, on server: ServerProcess, token: String) throws -> [String: Any] {
        var run: [String: Any] = [:]
        let end = Date().addingTimeInterval(60)
        repeat {
            Thread.sleep(forTimeInterval: 0.2)
            run = try call(server, "GET", "/api/v1/syncs/\(id)", token: token)
        } while ["queued", "running"].contains(run["status"] as? String ?? "") && Date() < end
        return run
    }

    /// Every stored record of source `id` as `id|name|amount|updated_at`, by id.
    private static func stored(_ database: ScratchDatabase, source id: Int) throws -> [String] {
        let opened = try DatabaseLocation.open(url: database.url, connections: 1, logger: testLogger)
        defer { opened.close() }
        return try opened.read { connection in
            try connection.query(#"SELECT id, name, amount, updated_at FROM records_\#(id) ORDER BY id"#).map { row in
                "\(try row.int(0))|\(try row.string(1))|\(try row.double(2))|\(Timestamp.rfc3339(try row.date(3)))"
            }
        }
    }

    private static func expected(_ records: [[String: RecordValue]]) -> [String] {
        records.map { record in
            guard case .integer(let id) = record["id"], case .text(let name) = record["name"],
                case .real(let amount) = record["amount"], case .text(let updated) = record["updated_at"]
            else { return "" }
            return "\(id)|\(name)|\(amount)|\(updated)"
        }
    }

    @Test("A server killed mid-sync resumes the run from its checkpoint after a restart", arguments: TestStore.all)
    func killedServerResumes(store: TestStore) throws {
        let database = try ScratchDatabase(store)
        let records = Self.records(4000)
        let source = try SourceTestServer(records: records)
        defer { source.stop() }
        for request in 1...200 { source.fail(request: request, with: .slow(seconds: 0.04)) }
        let environment = Self.environment(database)
        var first: ServerProcess? = try ServerProcess(environment: environment)
        let token = try Self.token(first!, environment: environment)

        let definition = """
            {"name": "remote", "kind": "rest", "mode": "incremental", "primaryKey": "id",
             "cursor": {"field": "updated_at", "lookback": 0},
             "rest": {"url": "\(source.url("/records"))", "recordsPath": "data", "cursorParameter": "updated_since",
                      "pagination": {"style": "page", "parameter": "page", "sizeParameter": "per_page", "size": 100}}}
            """
        let created = try Self.call(first!, "POST", "/api/v1/sources", token: token, body: definition)
        let id = try #require(created["id"] as? Int, "\(created)")
        let run = try Self.call(first!, "POST", "/api/v1/sources/\(id)/syncs", token: token)
        let runID = try #require(run["id"] as? Int, "\(run)")
        var progress: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        repeat {
            Thread.sleep(forTimeInterval: 0.05)
            progress = try Self.call(first!, "GET", "/api/v1/syncs/\(runID)", token: token)
        } while (progress["recordsRead"] as? Int ?? 0) < 1000 && Date() < deadline
        first!.kill()
        first = nil
        let pagesBefore = try #require(progress["pages"] as? Int)
        let requestsBefore = source.requests.count
        #expect(pagesBefore >= 10 && pagesBefore < 40, "\(progress)")

        let second = try ServerProcess(environment: environment)
        let ended = try Self.waitForRun(runID, on: second, token: token)
        #expect(ended["status"] as? String == "succeeded", "\(ended)")
        #expect(ended["attempts"] as? Int == 2)

        // The second process continued after the last committed page, not from the first one.
        let resumedAt = source.requests.dropFirst(requestsBefore).first { $0.path == "/records" }
        let page = try #require(resumedAt?.query["page"].flatMap { Int($0) })
        #expect(page > pagesBefore - 1 && page <= pagesBefore + 2, "resumed at page \(page) after \(pagesBefore)")
        second.terminate()
        #expect(try Self.stored(database, source: id) == Self.expected(records))
    }

    @Test("Two instances on one PostgreSQL run each scheduled sync once and take over a dead one's run")
    func twoInstancesShareTheQueue() throws {
        guard PostgresTestServer.isIncluded else { return }
        let database = try ScratchDatabase(.postgres)
        let records = Self.records(300)
        let source = try SourceTestServer(records: records)
        defer { source.stop() }
        let environment = Self.environment(database)
        let servers = [try ServerProcess(environment: environment), try ServerProcess(environment: environment)]
        let token = try Self.token(servers[0], environment: environment)
        let scheduled = """
            {"name": "scheduled", "kind": "rest", "primaryKey": "id", "schedule": {"everySeconds": 2},
             "rest": {"url": "\(source.url("/records"))", "recordsPath": "data"}}
            """
        let created = try Self.call(servers[0], "POST", "/api/v1/sources", token: token, body: scheduled)
        let scheduledID = try #require(created["id"] as? Int, "\(created)")
        Thread.sleep(forTimeInterval: 9)
        _ = try Self.call(
            servers[0], "PATCH", "/api/v1/sources/\(scheduledID)", token: token, body: #"{"schedule": null}"#)
        Thread.sleep(forTimeInterval: 2)
        let runs =
            try Self.call(servers[1], "GET", "/api/v1/syncs?source=\(scheduledID)", token: token)["runs"]
            as? [[String: Any]] ?? []
        #expect(runs.count >= 3 && runs.count <= 5, "\(runs.count) runs in 9 seconds at one per 2 seconds")
        #expect(runs.allSatisfy { $0["status"] as? String == "succeeded" && $0["attempts"] as? Int == 1 })
        let queuedTimes = runs.compactMap { ($0["queuedAt"] as? String).flatMap(Timestamp.parse) }.sorted()
        #expect(zip(queuedTimes, queuedTimes.dropFirst()).allSatisfy { $1.timeIntervalSince($0) >= 1.5 })

        for request in (source.requests.count + 1)...(source.requests.count + 60) {
            source.fail(request: request, with: .slow(seconds: 0.15))
        }
        let slow = """
            {"name": "slow", "kind": "rest", "primaryKey": "id",
             "rest": {"url": "\(source.url("/records"))", "recordsPath": "data",
                      "pagination": {"style": "page", "parameter": "page", "sizeParameter": "per_page", "size": 10}}}
            """
        let slowID = try #require(
            try Self.call(servers[0], "POST", "/api/v1/sources", token: token, body: slow)["id"] as? Int)
        let runID = try #require(
            try Self.call(servers[0], "POST", "/api/v1/sources/\(slowID)/syncs", token: token)["id"] as? Int)
        var holder: String?
        let deadline = Date().addingTimeInterval(20)
        while holder == nil && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            holder = try Self.leaseOwner(database, run: runID)
        }
        let owner = try #require(holder)
        let victim = try #require(servers.firstIndex { owner.contains("/\($0.process.processIdentifier)/") })
        servers[victim].kill()
        let survivor = servers[1 - victim]
        let ended = try Self.waitForRun(runID, on: survivor, token: token)
        #expect(ended["status"] as? String == "succeeded", "\(ended)")
        #expect(ended["attempts"] as? Int == 2)
        survivor.terminate()
        #expect(try Self.stored(database, source: slowID) == Self.expected(records))
    }

    private static func leaseOwner(_ database: ScratchDatabase, run: Int) throws -> String? {
        let opened = try DatabaseLocation.open(url: database.url, connections: 1, logger: testLogger)
        defer { opened.close() }
        return try opened.read { connection in
            try connection.queryOne(
                "SELECT lease_owner FROM sync_runs WHERE id = $1 AND status = 'running'", [.integer(Int64(run))]
            )?.optionalString(0)
        }
    }

    @Test("The command line adds a source from a file, syncs it with progress, lists and removes it")
    func commandLine() throws {
        let database = try ScratchDatabase(.sqlite)
        let importDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-cli-\(UUID())")
        defer { try? FileManager.default.removeItem(at: importDirectory) }
        try FileManager.default.createDirectory(at: importDirectory, withIntermediateDirectories: true)
        var csv = "id,name,amount\n"
        for id in 1...2500 { csv += "\(id),item \(id),\(Double(id) / 2)\n" }
        try Data(csv.utf8).write(to: importDirectory.appendingPathComponent("items.csv"))
        let definition = importDirectory.appendingPathComponent("items.json")
        try Data(#"{"name": "items", "kind": "csv", "primaryKey": "id", "csv": {"path": "items.csv"}}"#.utf8)
            .write(to: definition)
        var environment = Self.environment(database)
        environment["SYNCLINE_IMPORT_DIR"] = importDirectory.path
        let binary = ServerProcess.binary.path

        let add = try runTool(binary, ["source", "add", definition.path], environment: environment)
        #expect(add.status == 0, "\(add.output)")
        #expect(add.output.contains("created csv source items"))
        let run = try runTool(binary, ["sync", "run", "items"], environment: environment)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("items: sync 1 succeeded: 2500 records read, 2500 written"))
        let list = try runTool(binary, ["source", "list"], environment: environment)
        #expect(list.output.contains("items") && list.output.contains("2500"))
        let show = try runTool(binary, ["source", "show", "items"], environment: environment)
        #expect(show.output.contains(#""recordCount" : 2500"#))
        let remove = try runTool(binary, ["source", "rm", "items"], environment: environment)
        #expect(remove.status == 0)
        let missing = try runTool(binary, ["sync", "run", "items"], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.output.contains("no source named items"))
    }
}
