import Core
import Foundation
import Identity
import Storage
import TestSupport

@testable import App

/// A running application on an ephemeral loopback port over a scratch database.
///
/// Passwords are hashed with the real Argon2id parameters, as in production.
final class RunningApplication {
    let application: Application
    let database: ScratchDatabase
    let logs = MemoryLogSink()
    /// The import directory CSV and SQLite sources read from, removed with the application.
    let importDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-import-\(UUID())")
    static let secret = String(repeating: "s", count: 40)

    /// Starts over `database` (a fresh SQLite one by default) with test-friendly settings that
    /// `environment` may override.
    init(
        _ store: TestStore = .sqlite, on database: ScratchDatabase? = nil, environment extra: [String: String] = [:]
    ) throws {
        self.database = try database ?? ScratchDatabase(store)
        var environment = [
            "SYNCLINE_LISTEN": "127.0.0.1:0", "SYNCLINE_DATABASE_URL": self.database.url,
            "SYNCLINE_SESSION_SECRET": Self.secret, "SYNCLINE_AUDIT_KEY": String(repeating: "a", count: 40),
            "SYNCLINE_PUBLIC_URL": "http://127.0.0.1:8080", "SYNCLINE_IMPORT_DIR": importDirectory.path,
            "SYNCLINE_SYNC_POLL": "1", "SYNCLINE_DEMO": "false",
        ]
        environment.merge(extra) { _, new in new }
        let configuration = try Configuration(environment: environment)
        application = try Application(
            configuration: configuration, logger: Logger(label: "test", level: configuration.logLevel, sink: logs))
        try application.start()
    }

    var port: UInt16 { application.server.port }

    /// A new keep-alive connection to the server.
    func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }

    /// Creates a user directly through the identity service.
    @discardableResult
    func addUser(_ username: String, role: Role, password: String = RunningApplication.password) throws -> User {
        try application.identity.createUser(
            username: username, password: password, role: role, actor: "test", client: nil)
    }

    static let password = "correct horse battery staple"

    /// Signs in through the API and returns a bearer token.
    func token(_ username: String, password: String = RunningApplication.password) throws -> String {
        let reply = try client().postJSON("/api/v1/auth/token", ["username": username, "password": password])
        guard reply.status == 200, let token = try reply.json()["token"] as? String else {
            throw ToolError(output: "sign-in of \(username) failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// Signs in through the API like a browser: the session cookie and the CSRF token.
    func browserSession(_ username: String) throws -> BrowserSession {
        let reply = try client().postJSON(
            "/api/v1/auth/login", ["username": username, "password": Self.password],
            headers: [("Origin", "http://127.0.0.1:8080")])
        guard reply.status == 200, let csrf = try reply.json()["csrfToken"] as? String,
            let cookie = reply.cookie("syncline_session")
        else { throw ToolError(output: "browser sign-in failed: \(reply.status) \(reply.text)") }
        return BrowserSession(cookie: cookie, csrfToken: csrf)
    }

    /// Every audit event written so far, oldest first, after flushing the buffer.
    func auditEvents() throws -> [(action: String, actor: String, outcome: String, details: String)] {
        application.audit.flush()
        return try application.database.read { connection in
            try connection.query("SELECT action, actor, outcome, details FROM audit_events ORDER BY id").map {
                (try $0.string(0), try $0.string(1), try $0.string(2), try $0.string(3))
            }
        }
    }

    /// Writes `text` to `name` in the import directory.
    func importFile(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: importDirectory.appendingPathComponent(name))
    }

    /// Polls sync run `id` until it ends, for at most `timeout` seconds; returns its last state.
    func waitForRun(_ id: Int, token: String, timeout: Double = 30) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        var run: [String: Any] = [:]
        repeat {
            run = try client().get("/api/v1/syncs/\(id)", token: token).json()
            if let status = run["status"] as? String, !["queued", "running"].contains(status) { return run }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return run
    }

    deinit {
        application.stop(gracePeriod: .seconds(1))
        try? FileManager.default.removeItem(at: importDirectory)
    }
}

/// A browser's credentials: the session cookie and the CSRF token from sign-in.
struct BrowserSession {
    let cookie: String
    let csrfToken: String

    /// Headers of a same-origin unsafe request from a Syncline page.
    var unsafeHeaders: [(String, String)] {
        [("Cookie", "syncline_session=\(cookie)"), ("X-CSRF-Token", csrfToken), ("Origin", "http://127.0.0.1:8080")]
    }
}

extension RawHTTPClient {
    /// Sends `object` as a JSON body.
    func postJSON(
        _ path: String, _ object: [String: Any], method: String = "POST", headers: [(String, String)] = []
    ) throws -> Reply {
        let body = try JSONSerialization.data(withJSONObject: object)
        return try request(
            method, path, headers: [("Content-Type", "application/json")] + headers, body: Array(body))
    }

    /// A GET with a bearer token.
    func get(_ path: String, token: String) throws -> Reply {
        try request("GET", path, headers: [("Authorization", "Bearer \(token)")])
    }
}

extension RawHTTPClient.Reply {
    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
    }

    /// The value of the cookie `name` set by this reply.
    func cookie(_ name: String) -> String? {
        setCookies.first { $0.hasPrefix(name + "=") }
            .map { String($0.dropFirst(name.count + 1).prefix { $0 != ";" }) }
    }

    /// Every `Set-Cookie` header.
    var setCookies: [String] {
        headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
    }
}
