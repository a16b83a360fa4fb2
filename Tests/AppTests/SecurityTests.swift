import Core
import Foundation
import HTTP
import Identity
import TestSupport
import Testing

@testable import App

/// Attacks on a live server, each of which must fail; storage-backed ones run on both stores.
@Suite("Security controls") struct SecurityTests {
    private static let origin = "http://127.0.0.1:8080"

    // MARK: Sessions and cookies

    @Test(arguments: TestStore.all)
    func signInSetsHardenedCookiesAndSignOutRevokes(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("alice", role: .viewer)
        let client = try app.client()
        let login = try client.postJSON(
            "/api/v1/auth/login", ["username": "alice", "password": RunningApplication.password],
            headers: [("Origin", Self.origin)])
        #expect(login.status == 200)
        let session = try #require(login.setCookies.first { $0.hasPrefix("syncline_session=") })
        #expect(session.contains("; HttpOnly") && session.contains("; SameSite=Strict") && session.contains("Path=/"))
        #expect(!session.contains("Secure"))
        let csrf = try #require(login.setCookies.first { $0.hasPrefix("syncline_csrf=") })
        #expect(!csrf.contains("HttpOnly"))

        let cookie = try #require(login.cookie("syncline_session"))
        let me = try client.request("GET", "/api/v1/auth/me", headers: [("Cookie", "syncline_session=\(cookie)")])
        #expect(me.status == 200)
        #expect(me.header("Cache-Control") == "no-store")
        #expect((try me.json()["user"] as? [String: Any])?["username"] as? String == "alice")

        let csrfToken = try #require(try login.json()["csrfToken"] as? String)
        let logout = try client.request(
            "POST", "/api/v1/auth/logout",
            headers: [("Cookie", "syncline_session=\(cookie)"), ("X-CSRF-Token", csrfToken), ("Origin", Self.origin)])
        #expect(logout.status == 204)
        #expect(logout.setCookies.contains { $0.hasPrefix("syncline_session=;") && $0.contains("Max-Age=0") })
        let after = try client.request("GET", "/api/v1/auth/me", headers: [("Cookie", "syncline_session=\(cookie)")])
        #expect(after.status == 401)
        #expect(try app.auditEvents().contains { $0.action == "auth.token_rejected" && $0.details.contains("revoked") })
    }

    @Test func httpsPublicURLGivesHostPrefixedSecureCookies() throws {
        let app = try RunningApplication(environment: ["SYNCLINE_PUBLIC_URL": "https://syncline.example"])
        try app.addUser("alice", role: .viewer)
        let login = try app.client().postJSON(
            "/api/v1/auth/login", ["username": "alice", "password": RunningApplication.password])
        #expect(login.status == 200)
        let session = try #require(login.setCookies.first { $0.hasPrefix("__Host-syncline_session=") })
        #expect(session.contains("; Secure") && session.contains("Path=/") && !session.contains("Domain"))
        #expect(login.setCookies.contains { $0.hasPrefix("syncline_csrf=") && $0.contains("; Secure") })
    }

    @Test(arguments: TestStore.all)
    func bearerTokensWorkButNeverFromTheURL(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("bob", role: .viewer)
        let token = try app.token("bob")
        let client = try app.client()
        #expect(try client.get("/api/v1/auth/me", token: token).status == 200)
        for query in ["access_token", "token", "jwt", "authorization"] {
            #expect(try client.request("GET", "/api/v1/auth/me?\(query)=\(token)").status == 401)
        }
        #expect(
            try client.request("GET", "/api/v1/auth/me", headers: [("Authorization", "Basic \(token)")]).status == 401)
    }

    @Test(arguments: TestStore.all)
    func aHashWithOldParametersIsReplacedAtSignIn(store: TestStore) throws {
        let app = try RunningApplication(
            store, environment: ["SYNCLINE_METRICS_TOKEN": String(repeating: "m", count: 40)])
        let ivy = try app.addUser("ivy", role: .viewer)
        let cheap = try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1))
        let old = try cheap.hash(password: RunningApplication.password)
        try app.application.database.write { connection in
            try connection.execute(
                "UPDATE users SET password_hash = $1 WHERE id = $2", [.text(old), .integer(ivy.id)])
        }
        _ = try app.token("ivy")
        let stored = try #require(try app.application.identity.users.passwordHash(id: ivy.id))
        #expect(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(stored != old)
        _ = try app.token("ivy")
        let metrics = try app.client().get("/metrics", token: String(repeating: "m", count: 40))
        #expect(metrics.text.contains(#"syncline_sign_ins_total{outcome="success"} 2"#))
    }

    // MARK: Forged and stale tokens

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func decodeSegment(_ segment: Substring) -> [UInt8] {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Array(Data(base64Encoded: text) ?? Data())
    }

    @Test(arguments: TestStore.all)
    func forgedTokensAreRefusedAndAudited(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("vera", role: .viewer)
        let real = try app.token("vera")
        let parts = real.split(separator: ".")
        let header = String(decoding: Self.decodeSegment(parts[0]), as: UTF8.self)
        let payload = String(decoding: Self.decodeSegment(parts[1]), as: UTF8.self)
        #expect(payload.contains(#""role":"viewer""#))
        let promoted = Self.base64URL(Array(payload.replacingOccurrences(of: #""viewer""#, with: #""admin""#).utf8))
        let noneHeader = Self.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let signingInput = "\(parts[0]).\(promoted)"
        let otherSecret = Self.base64URL(Crypto.hmacSHA256(key: Array("another secret".utf8), Array(signingInput.utf8)))
        let forgeries = [
            "\(parts[0]).\(promoted).\(parts[2])",
            "\(noneHeader).\(promoted).",
            "\(noneHeader).\(parts[1]).",
            "\(parts[0]).\(parts[1]).",
            "\(parts[0]).\(parts[1])",
            "\(signingInput).\(otherSecret)",
            real + "x",
        ]
        #expect(header.contains(#""alg":"HS256""#))
        let client = try app.client()
        for forged in forgeries {
            #expect(try client.get("/api/v1/auth/me", token: forged).status == 401, "accepted: \(forged)")
            #expect(try client.get("/api/v1/users", token: forged).status == 401)
        }
        let rejections = try app.auditEvents().filter { $0.action == "auth.token_rejected" }
        #expect(rejections.count == forgeries.count * 2)
        #expect(!rejections.contains { $0.details.contains(real) })
    }

    @Test(arguments: TestStore.all)
    func passwordChangeDisableAndRoleChangeEndSessionsAtOnce(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        let carol = try app.addUser("carol", role: .admin)
        let admin = try app.token("root")
        let client = try app.client()

        let beforeRoleChange = try app.token("carol")
        #expect(try client.get("/api/v1/users", token: beforeRoleChange).status == 200)
        let demote = try client.postJSON(
            "/api/v1/users/\(carol.id)", ["role": "viewer"], method: "PATCH",
            headers: [("Authorization", "Bearer \(admin)")])
        #expect(demote.status == 200)
        #expect(try client.get("/api/v1/users", token: beforeRoleChange).status == 401)
        let asViewer = try app.token("carol")
        #expect(try client.get("/api/v1/users", token: asViewer).status == 403)
        #expect(try client.get("/api/v1/auth/me", token: asViewer).status == 200)

        let change = try client.postJSON(
            "/api/v1/auth/password",
            ["currentPassword": RunningApplication.password, "newPassword": "a much newer passphrase"],
            headers: [("Authorization", "Bearer \(asViewer)")])
        #expect(change.status == 200)
        let replacement = try #require(try change.json()["token"] as? String)
        #expect(try client.get("/api/v1/auth/me", token: asViewer).status == 401)
        #expect(try client.get("/api/v1/auth/me", token: replacement).status == 200)

        let disable = try client.postJSON(
            "/api/v1/users/\(carol.id)", ["disabled": true], method: "PATCH",
            headers: [("Authorization", "Bearer \(admin)")])
        #expect(disable.status == 200)
        #expect(try client.get("/api/v1/auth/me", token: replacement).status == 401)
        let signIn = try client.postJSON(
            "/api/v1/auth/token", ["username": "carol", "password": "a much newer passphrase"])
        #expect(signIn.status == 401)
        #expect(
            try signIn.json()["error"] as? [String: String] == [
                "code": "invalid_credentials", "message": "Incorrect username or password.",
            ])
    }

    @Test(arguments: TestStore.all)
    func rotationKeepsOldTokensDuringTheOverlapOnly(store: TestStore) throws {
        let database = try ScratchDatabase(store)
        let oldSecret = String(repeating: "o", count: 40)
        let newSecret = String(repeating: "n", count: 40)
        var token = ""
        do {
            let app = try RunningApplication(on: database, environment: ["SYNCLINE_SESSION_SECRET": oldSecret])
            try app.addUser("dana", role: .viewer)
            token = try app.token("dana")
        }
        do {
            let app = try RunningApplication(
                on: database,
                environment: ["SYNCLINE_SESSION_SECRET": newSecret, "SYNCLINE_SESSION_SECRET_PREVIOUS": oldSecret])
            #expect(try app.client().get("/api/v1/auth/me", token: token).status == 200)
            let fresh = try app.token("dana")
            #expect(fresh.split(separator: ".")[0] != token.split(separator: ".")[0])
        }
        do {
            let app = try RunningApplication(on: database, environment: ["SYNCLINE_SESSION_SECRET": newSecret])
            #expect(try app.client().get("/api/v1/auth/me", token: token).status == 401)
        }
    }

    // MARK: CSRF

    @Test(arguments: TestStore.all)
    func unsafeCookieRequestsNeedTheTokenAndThisOrigin(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        let session = try app.browserSession("root")
        let client = try app.client()
        let cookie = ("Cookie", "syncline_session=\(session.cookie)")
        let body: [String: Any] = ["username": "newbie", "password": "plenty long passphrase", "role": "viewer"]

        let attempts: [(String, [(String, String)])] = [
            ("no CSRF token", [cookie, ("Origin", Self.origin)]),
            ("a token of another session", [cookie, ("Origin", Self.origin), ("X-CSRF-Token", "AAAA.BBBB")]),
            ("a foreign Origin", [cookie, ("Origin", "https://evil.example"), ("X-CSRF-Token", session.csrfToken)]),
            ("no Origin at all", [cookie, ("X-CSRF-Token", session.csrfToken)]),
            ("a cross-site fetch", [cookie, ("Sec-Fetch-Site", "cross-site"), ("X-CSRF-Token", session.csrfToken)]),
        ]
        for (attack, headers) in attempts {
            let reply = try client.postJSON("/api/v1/users", body, headers: headers)
            #expect(reply.status == 403, "\(attack) got \(reply.status)")
        }
        // A cross-site form can send text/plain without a preflight; it is refused before its
        // body is read, so the server closes that connection.
        let plain = try app.client().request(
            "POST", "/api/v1/users",
            headers: [cookie, ("Origin", "https://evil.example"), ("Content-Type", "text/plain")],
            body: Array(#"{"username":"x","password":"y","role":"admin"}"#.utf8))
        #expect([403, 415].contains(plain.status))
        #expect(try app.application.identity.users.list().map(\.username) == ["root"])

        let allowed = try client.postJSON("/api/v1/users", body, headers: session.unsafeHeaders)
        #expect(allowed.status == 201)
        let sameOrigin = try client.postJSON(
            "/api/v1/users", ["username": "second", "password": "plenty long passphrase", "role": "viewer"],
            headers: [cookie, ("Sec-Fetch-Site", "same-origin"), ("X-CSRF-Token", session.csrfToken)])
        #expect(sameOrigin.status == 201)
        let csrfRefusals = try app.auditEvents().filter { $0.action == "csrf.rejected" }
        #expect(csrfRefusals.count >= attempts.count)
    }

    @Test func foreignOriginCannotSignSomeoneIn() throws {
        let app = try RunningApplication()
        try app.addUser("alice", role: .viewer)
        let reply = try app.client().postJSON(
            "/api/v1/auth/login", ["username": "alice", "password": RunningApplication.password],
            headers: [("Origin", "https://evil.example")])
        #expect(reply.status == 403)
        #expect(reply.setCookies.isEmpty)
    }

    @Test func nothingChangesStateThroughGET() throws {
        let app = try RunningApplication()
        try app.addUser("root", role: .admin)
        let token = try app.token("root")
        for route in app.application.server.router.routes where route.method == .get || route.method == .head {
            #expect(
                !["logout", "password", "delete", "disable", "create"].contains { route.template.contains($0) },
                "\(route.template) looks like a state change on GET")
        }
        let client = try app.client()
        #expect(try client.get("/api/v1/auth/logout", token: token).status == 405)
        #expect(try client.get("/api/v1/auth/me", token: token).status == 200)
    }

    // MARK: Roles

    /// Every admin route the router knows, with `{id}` filled in by an existing user's id.
    @Test(arguments: TestStore.all)
    func viewersAreRefusedEveryAdminRouteAndAnonymousEveryProtectedOne(store: TestStore) throws {
        let app = try RunningApplication(store)
        let root = try app.addUser("root", role: .admin)
        try app.addUser("viewer", role: .viewer)
        let viewer = try app.token("viewer")
        let client = try app.client()
        let routes = app.application.server.router.routes
        #expect(routes.contains { $0.metadata.access == .admin && !$0.method.isSafe })
        for route in routes where route.metadata.access != .anyone {
            let path = route.template.replacingOccurrences(of: "{id}", with: String(root.id))
            let body: [UInt8] = route.metadata.accepts.isEmpty ? [] : Array("{}".utf8)
            let contentType = route.metadata.accepts.first.map { [("Content-Type", $0)] } ?? []
            let anonymous = try client.request(route.method.rawValue, path, headers: contentType, body: body)
            if route.metadata.tags.contains("pages") {
                // Pages send the browser to the sign-in page instead of answering 401.
                #expect(
                    anonymous.status == 303, "\(route.method) \(route.template) gave \(anonymous.status) anonymously")
                #expect(anonymous.header("Location")?.hasPrefix("/login?next=") == true)
            } else {
                #expect(
                    anonymous.status == 401, "\(route.method) \(route.template) gave \(anonymous.status) anonymously")
            }
            guard route.metadata.access == .admin else { continue }
            let reply = try client.request(
                route.method.rawValue, path, headers: contentType + [("Authorization", "Bearer \(viewer)")], body: body)
            #expect(reply.status == 403, "\(route.method) \(route.template) gave \(reply.status) to a viewer")
        }
        #expect(try app.application.identity.users.find(id: root.id)?.role == .admin)
        #expect(try app.auditEvents().contains { $0.action == "access.denied" && $0.actor == "viewer" })
    }

    // MARK: Brute force

    @Test(arguments: TestStore.all)
    func lockoutEngagesIsAuditedAndHoldsEvenForTheRightPassword(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("erin", role: .viewer)
        let client = try app.client()
        for _ in 0..<5 {
            let reply = try client.postJSON("/api/v1/auth/token", ["username": "erin", "password": "wrong guess 123"])
            #expect(reply.status == 401)
        }
        let locked = try client.postJSON(
            "/api/v1/auth/token", ["username": "erin", "password": RunningApplication.password])
        #expect(locked.status == 429)
        #expect(Int(locked.header("Retry-After") ?? "") ?? 0 >= 1)
        let events = try app.auditEvents()
        let logins = events.filter { $0.action == "auth.login" }
        #expect(logins.filter { $0.outcome == "failure" }.count == 5)
        #expect(logins.contains { $0.outcome == "denied" && $0.details.contains("locked") })
        #expect(events.contains { $0.action == "auth.lockout" && $0.actor == "erin" })
    }

    @Test(arguments: TestStore.all)
    func forgedForwardedForDoesNotEscapeTheAddressLock(store: TestStore) throws {
        let app = try RunningApplication(store)
        let client = try app.client()
        for attempt in 0..<5 {
            _ = try client.postJSON(
                "/api/v1/auth/token", ["username": "user\(attempt)", "password": "wrong guess 123"],
                headers: [("X-Forwarded-For", "198.51.100.\(attempt)")])
        }
        let next = try client.postJSON(
            "/api/v1/auth/token", ["username": "someone-else", "password": "wrong guess 123"],
            headers: [("X-Forwarded-For", "203.0.113.99")])
        #expect(next.status == 429)
    }

    @Test func unknownUsersAndWrongPasswordsLookAndTakeTheSame() throws {
        let app = try RunningApplication(environment: ["SYNCLINE_LOGIN_MAX_FAILURES": "1000"])
        try app.addUser("frank", role: .viewer)
        let client = try app.client()
        var bodies: Set<String> = []
        func attempt(_ username: String) throws -> Double {
            let started = ContinuousClock.now
            let reply = try client.postJSON(
                "/api/v1/auth/token", ["username": username, "password": "wrong guess 123"])
            #expect(reply.status == 401)
            bodies.insert(reply.text)
            return (ContinuousClock.now - started).seconds
        }
        var wrong: [Double] = []
        var unknown: [Double] = []
        for round in 0..<12 {
            wrong.append(try attempt("frank"))
            unknown.append(try attempt("ghost\(round)"))
        }
        #expect(bodies.count == 1)
        // The fastest of each is its own cost with the least noise from tests running alongside.
        let ratio = unknown.min()! / wrong.min()!
        #expect(ratio > 0.5 && ratio < 2, "unknown/wrong fastest time ratio \(ratio): \(unknown) vs \(wrong)")
    }

    // MARK: Rate limits

    @Test func requestFloodsFromOneAddressAreLimited() throws {
        let app = try RunningApplication(environment: ["SYNCLINE_RATE_LIMIT_PER_IP": "40"])
        let client = try app.client()
        var statuses: [Int] = []
        for _ in 0..<30 {
            let reply = try client.request("GET", "/api/v1/auth/me")
            statuses.append(reply.status)
            if reply.status == 429 { #expect(Int(reply.header("Retry-After") ?? "") ?? 0 >= 1) }
        }
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 })
        #expect(statuses.suffix(10).allSatisfy { $0 == 429 })
        #expect(try client.request("GET", "/healthz").status == 200)
        #expect(try app.auditEvents().contains { $0.action == "rate_limit.hit" })
    }

    @Test func oneUserCannotFloodFromManyAddresses() throws {
        let app = try RunningApplication(environment: ["SYNCLINE_RATE_LIMIT_PER_USER": "40"])
        try app.addUser("hal", role: .viewer)
        let token = try app.token("hal")
        let client = try app.client()
        let statuses = try (0..<30).map { _ in try client.get("/api/v1/auth/me", token: token).status }
        #expect(statuses.prefix(10).allSatisfy { $0 == 200 })
        #expect(statuses.suffix(10).allSatisfy { $0 == 429 })
    }

    // MARK: Input

    @Test(arguments: TestStore.all)
    func sqlMetacharactersAreJustData(store: TestStore) throws {
        let app = try RunningApplication(store, environment: ["SYNCLINE_LOGIN_MAX_FAILURES": "1000"])
        try app.addUser("root", role: .admin)
        let token = try app.token("root")
        let client = try app.client()
        let auth = [("Authorization", "Bearer \(token)")]
        let payloads = ["x' OR '1'='1", "'; DROP TABLE users; --", "\" OR \"\"=\"", "1; SELECT pg_sleep(5)", "%' --"]
        for payload in payloads {
            let asName = try client.postJSON(
                "/api/v1/users", ["username": payload, "password": "plenty long passphrase", "role": "viewer"],
                headers: auth)
            #expect(asName.status == 422)
            let asRole = try client.postJSON(
                "/api/v1/users", ["username": "mallory", "password": "plenty long passphrase", "role": payload],
                headers: auth)
            #expect(asRole.status == 422)
            let asLogin = try client.postJSON("/api/v1/auth/token", ["username": payload, "password": payload])
            #expect(asLogin.status == 401)
        }
        let tricky = "Robert'); DROP TABLE users;-- x"
        let created = try client.postJSON(
            "/api/v1/users", ["username": "bobby", "password": tricky, "role": "viewer"], headers: auth)
        #expect(created.status == 201)
        #expect(try app.token("bobby", password: tricky).isEmpty == false)
        #expect(try app.application.identity.users.list().map(\.username) == ["bobby", "root"])
    }

    @Test func malformedBodiesAreRefusedWithClearStatuses() throws {
        let app = try RunningApplication()
        try app.addUser("root", role: .admin)
        let token = try app.token("root")
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        // A fresh connection each time: a refused body may leave the server closing the connection.
        func send(_ text: String) throws -> RawHTTPClient.Reply {
            try app.client().request("POST", "/api/v1/users", headers: headers, body: Array(text.utf8))
        }
        let bomb = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(try send(bomb).status == 400)
        #expect(try send(#"{"a":"#).status == 400)
        #expect(try send("[1,2]").status == 400)
        #expect(try send(String(repeating: "x", count: 9000)).status == 413)

        let wrongTypes = try send(#"{"username": 7, "password": true, "role": ["admin"]}"#)
        #expect(wrongTypes.status == 422)
        let fields = try #require((try wrongTypes.json()["error"] as? [String: Any])?["fields"] as? [String: String])
        #expect(Set(fields.keys) == ["username", "password", "role"])
        #expect(fields["username"]?.contains("string") == true)

        let unknown = try send(#"{"username":"zed","password":"plenty long passphrase","role":"viewer","admin":true}"#)
        #expect(unknown.status == 422)
        #expect(unknown.text.contains(#""admin":"Unknown field.""#))

        let huge = try send(#"{"username":"\#(String(repeating: "z", count: 500))","password":"p","role":"viewer"}"#)
        #expect(huge.status == 422)
        let weak = try send(#"{"username":"weakling","password":"WinnieThePooh","role":"viewer"}"#)
        #expect(weak.status == 422)
        #expect(try app.application.identity.users.list().count == 1)
    }

    @Test(arguments: TestStore.all)
    func lineBreaksInAUsernameCannotForgeLogLines(store: TestStore) throws {
        let app = try RunningApplication(store, environment: ["SYNCLINE_LOG_LEVEL": "debug"])
        let forged = "eve\r\n{\"level\":\"error\",\"message\":\"forged\"}"
        _ = try app.client().postJSON("/api/v1/auth/token", ["username": forged, "password": "wrong guess 123"])
        let events = try app.auditEvents()
        #expect(events.contains { $0.actor.contains("\r\n") })
        #expect(app.logs.lines.contains { $0.contains(#"eve\r\n{\"level\""#) })
        for line in app.logs.lines {
            #expect(!line.contains("\n") && !line.contains("\r"))
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not one JSON object: \(line)")
        }
    }
}
