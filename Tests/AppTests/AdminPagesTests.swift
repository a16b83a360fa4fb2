import Foundation
import HTTP
import Identity
import TestSupport
import Testing

@testable import App

/// The users, account and audit pages on a live server, driven the way a browser drives them:
/// the session cookie, form bodies carrying the CSRF token, and this site's `Origin`.
@Suite("Admin and account pages") struct AdminPagesTests {
    private static let origin = "http://127.0.0.1:8080"
    private static let newPassword = "a brand new passphrase"

    // MARK: Users

    @Test(arguments: TestStore.all)
    func adminsCreateChangeDisableResetAndDeleteUsers(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        let browser = try Browser(app, "root")
        let list = try browser.get("/users")
        #expect(list.status == 200)
        #expect(list.text.contains("<td>root <span class=\"badge\">you</span></td>"))

        let short = try browser.post("/users", ["username": "carol", "password": "short", "role": "admin"])
        #expect(short.status == 422)
        #expect(short.text.contains("id=\"password-error\">The password must be at least 12 characters long."))
        #expect(short.text.contains("value=\"carol\""))
        #expect(short.text.contains("<option value=\"admin\" selected>"))
        #expect(!short.text.contains("value=\"short\""))
        let common = try browser.post("/users", ["username": "carol", "password": "winniethepooh", "role": "viewer"])
        #expect(common.status == 422)
        #expect(common.text.contains("commonly used passwords"))
        let taken = try browser.post("/users", ["username": "Root", "password": Self.newPassword, "role": "viewer"])
        #expect(taken.status == 409)
        #expect(taken.text.contains("id=\"username-error\">A user named root already exists."))

        let created = try browser.post(
            "/users", ["username": "carol", "password": RunningApplication.password, "role": "viewer"])
        #expect(created.status == 303)
        #expect(created.header("Location") == "/users?done=created&user=carol")
        #expect(try browser.get("/users?done=created&user=carol").text.contains("carol was created."))
        let carol = try #require(try app.application.identity.users.credentials(username: "carol")?.user)

        #expect(try browser.post("/users/\(carol.id)/role", ["role": "admin"]).status == 303)
        #expect(try app.application.identity.users.find(id: carol.id)?.role == .admin)
        #expect(try browser.post("/users/\(carol.id)/disabled", ["disabled": "true"]).status == 303)
        #expect(try app.application.identity.users.find(id: carol.id)?.disabled == true)
        #expect(try browser.get("/users").text.contains("<span class=\"badge failed\">Disabled</span>"))
        #expect(try browser.post("/users/\(carol.id)/disabled", ["disabled": "false"]).status == 303)
        #expect(try app.application.identity.users.find(id: carol.id)?.disabled == false)

        let weak = try browser.post("/users/\(carol.id)/password", ["password": "too short"])
        #expect(weak.status == 422)
        #expect(weak.text.contains("id=\"password-\(carol.id)-error\">The password must be at least 12"))
        let reset = try browser.post("/users/\(carol.id)/password", ["password": Self.newPassword])
        #expect(reset.status == 303)
        #expect(
            try browser.get(try #require(reset.header("Location"))).text.contains("The password of carol was reset"))
        _ = try app.token("carol", password: Self.newPassword)

        let deleted = try browser.post("/users/\(carol.id)/delete", [:])
        #expect(deleted.header("Location") == "/users?done=deleted&user=carol")
        #expect(try app.application.identity.users.find(id: carol.id) == nil)

        let actions = try app.auditEvents().filter { $0.actor == "root" }.map(\.action)
        for action in ["user.create", "user.role_change", "user.disable", "user.update", "user.delete"] {
            #expect(actions.contains(action), "no \(action) by root in the audit log")
        }
    }

    @Test(arguments: TestStore.all)
    func refusedChangesShowTheServersReason(store: TestStore) throws {
        let app = try RunningApplication(store)
        let root = try app.addUser("root", role: .admin)
        let browser = try Browser(app, "root")

        let ownDelete = try browser.post("/users/\(root.id)/delete", [:])
        #expect(ownDelete.status == 409)
        #expect(ownDelete.text.contains("<p class=\"notice notice-error\" role=\"status\">You cannot delete your own"))
        let demote = try browser.post("/users/\(root.id)/role", ["role": "viewer"])
        #expect(demote.status == 409)
        #expect(demote.text.contains("This is the last enabled admin; make another user admin first."))
        let disable = try browser.post("/users/\(root.id)/disabled", ["disabled": "true"])
        #expect(disable.status == 409)
        #expect(try app.application.identity.users.find(id: root.id)?.role == .admin)
        #expect(try browser.post("/users/9999/role", ["role": "viewer"]).text.contains("No such user."))
        #expect(try browser.get("/users?done=created&user=%3Cb%3E").text.contains("notice-success") == false)
    }

    // MARK: Access

    @Test(arguments: TestStore.all)
    func viewersAreRefusedTheUsersAndAuditPagesAndEveryChange(store: TestStore) throws {
        let app = try RunningApplication(store)
        let root = try app.addUser("root", role: .admin)
        try app.addUser("vera", role: .viewer)
        let viewer = try Browser(app, "vera")
        for path in ["/users", "/audit", "/audit?action=auth."] {
            let reply = try viewer.get(path)
            #expect(reply.status == 403, "GET \(path) gave \(reply.status)")
            #expect(reply.text.contains("You can&#39;t do that here"))
        }
        let posts: [(String, [String: String])] = [
            ("/users", ["username": "mallory", "password": Self.newPassword, "role": "admin"]),
            ("/users/\(root.id)/role", ["role": "viewer"]), ("/users/\(root.id)/disabled", ["disabled": "true"]),
            ("/users/\(root.id)/password", ["password": Self.newPassword]), ("/users/\(root.id)/delete", [:]),
        ]
        for (path, fields) in posts {
            let reply = try viewer.post(path, fields)
            #expect(reply.status == 403, "POST \(path) gave \(reply.status)")
        }
        let stored = try #require(try app.application.identity.users.find(id: root.id))
        #expect(stored.role == .admin && !stored.disabled)
        #expect(try app.application.identity.users.count() == 2)
        #expect(try viewer.get("/account").status == 200)
    }

    @Test(arguments: TestStore.all)
    func formsWithoutTheCSRFTokenOrFromAnotherSiteAreRefused(store: TestStore) throws {
        let app = try RunningApplication(store)
        let root = try app.addUser("root", role: .admin)
        let viewer = try app.addUser("vera", role: .viewer)
        let browser = try Browser(app, "root")
        let fields = ["username": "mallory", "password": Self.newPassword, "role": "admin"]
        let refused = [
            try browser.post("/users", fields, csrf: false),
            try browser.post("/users", fields, csrf: false, origin: "https://evil.example"),
            try browser.post("/users", fields, origin: "https://evil.example"),
            try browser.post("/users", fields, origin: nil),
            try browser.post("/users/\(viewer.id)/delete", [:], csrf: false),
            try browser.post("/users/\(root.id)/password", ["password": Self.newPassword], origin: "null"),
            try browser.post("/account/password", ["current_password": RunningApplication.password], csrf: false),
        ]
        for reply in refused {
            #expect(reply.status == 403)
            try expectSafePage(reply)
        }
        #expect(try app.application.identity.users.count() == 2)
        // The refused password reset left the old password in place.
        _ = try app.token("root")
        #expect(try app.auditEvents().filter { $0.action == "csrf.rejected" }.count == refused.count)
    }

    // MARK: Account

    @Test(arguments: TestStore.all)
    func accountPasswordChangeKeepsThisSessionAndRetiresTheOldPassword(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("vera", role: .viewer)
        let browser = try Browser(app, "vera")
        let other = try Browser(app, "vera")
        let account = try browser.get("/account")
        #expect(account.status == 200)
        #expect(account.text.contains("<dt>Username</dt><dd>vera</dd>"))
        #expect(account.text.contains("Viewer: reads dashboards and data tables"))
        #expect(account.text.contains("<dt>Session ends</dt><dd><time datetime=\""))

        let current = RunningApplication.password
        let mismatch = try browser.post(
            "/account/password",
            ["current_password": current, "new_password": Self.newPassword, "repeat_password": "something else"])
        #expect(mismatch.status == 422)
        #expect(mismatch.text.contains("id=\"repeat_password-error\">This differs from the new password."))
        let wrong = try browser.post(
            "/account/password",
            [
                "current_password": "not my password", "new_password": Self.newPassword,
                "repeat_password": Self.newPassword,
            ])
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("id=\"current_password-error\">The current password is not correct."))
        let weak = try browser.post(
            "/account/password",
            ["current_password": current, "new_password": "winniethepooh", "repeat_password": "winniethepooh"])
        #expect(weak.status == 422)
        #expect(weak.text.contains("id=\"new_password-error\">The password is on a list of commonly used"))

        let changed = try browser.post(
            "/account/password",
            ["current_password": current, "new_password": Self.newPassword, "repeat_password": Self.newPassword])
        #expect(changed.status == 303)
        #expect(changed.header("Location") == "/account?done=password")
        let cookie = try #require(changed.cookie("syncline_session"))
        let renewed = Browser(
            app, session: BrowserSession(cookie: cookie, csrfToken: try #require(changed.cookie("syncline_csrf"))))
        let notice = try renewed.get("/account?done=password")
        #expect(notice.status == 200)
        #expect(notice.text.contains("Your password was changed. Your other sessions have ended."))
        #expect(try browser.get("/account").status == 303)
        #expect(try other.get("/account").header("Location") == "/login?next=%2Faccount")

        let old = try app.client().postJSON("/api/v1/auth/token", ["username": "vera", "password": current])
        #expect(old.status == 401)
        _ = try app.token("vera", password: Self.newPassword)
        #expect(try app.auditEvents().contains { $0.action == "user.password_change" && $0.outcome == "success" })
    }

    // MARK: Audit log

    @Test(arguments: TestStore.all)
    func auditPageFiltersPagesEscapesAndExports(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        let client = try app.client()
        let hostile = "<script>alert(1)</script>"
        for _ in 0..<3 {
            _ = try client.postJSON("/api/v1/auth/token", ["username": hostile, "password": "wrong password 1"])
        }
        let browser = try Browser(app, "root")
        app.application.audit.flush()

        let failures = try browser.get("/audit?action=auth.&outcome=failure")
        #expect(failures.status == 200)
        #expect(failures.text.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"))
        #expect(!failures.text.contains(hostile))
        #expect(failures.text.components(separatedBy: "<span class=\"badge failed\">failure</span>").count == 4)
        #expect(!failures.text.contains("badge succeeded"))
        #expect(failures.text.contains("<div>reason=unknown_user</div>"))
        #expect(failures.text.contains("href=\"/api/v1/audit.csv?action=auth.&amp;outcome=failure\""))
        let csv = try browser.get("/api/v1/audit.csv?action=auth.&outcome=failure")
        #expect(csv.status == 200)
        #expect(csv.text.split(separator: "\r\n").count == 4)

        let first = try browser.get("/audit?actor=\(PercentEncoding.encodeComponent(hostile))&limit=2")
        let firstIDs = Self.entryIDs(first.text)
        #expect(firstIDs.count == 2)
        let older = try #require(Self.olderLink(first.text))
        #expect(older.hasPrefix("/audit?actor=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&limit=2&before="))
        let second = try browser.get(older)
        let secondIDs = Self.entryIDs(second.text)
        #expect(secondIDs.count == 1)
        #expect(Set(firstIDs).isDisjoint(with: secondIDs))
        #expect(Self.olderLink(second.text) == nil)
        #expect(second.text.contains("Newest entries"))

        let since = try browser.get("/audit?actor=root&from=2000-01-01T00%3A00&to=2999-12-31T23%3A59%3A59")
        #expect(since.status == 200)
        #expect(since.text.contains("value=\"2000-01-01T00:00:00\""))
        #expect(since.text.contains("<td>auth.login</td>") && !since.text.contains("&lt;script"))
        let none = try browser.get("/audit?to=2000-01-01T00%3A00%3A00Z")
        #expect(none.text.contains("No entries match these filters."))

        for (query, message) in [
            ("from=yesterday", "id=\"from-error\">Enter a date and time in UTC"),
            ("outcome=maybe", "aria-describedby=\"outcome-error\">"),
            ("outcome=maybe", "id=\"outcome-error\">Choose success, failure or denied."),
            ("from=2026-05-02T00%3A00&to=2026-05-01T00%3A00", "id=\"to-error\">Choose a time after the start."),
            ("before=abc", "The link to older entries is malformed"), ("limit=0", "Show 1 to 500 entries per page."),
        ] {
            let reply = try browser.get("/audit?" + query)
            #expect(reply.status == 422, "\(query) gave \(reply.status)")
            #expect(reply.text.contains(message), "\(query) did not say \(message)")
            try expectSafePage(reply)
        }
    }

    // MARK: Headers and markup

    @Test(arguments: TestStore.all)
    func everyPageCarriesTheCSPAndNoInlineScriptOrStyle(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        try app.addUser("vera", role: .viewer)
        let admin = try Browser(app, "root")
        let viewer = try Browser(app, "vera")
        let replies = [
            try admin.get("/users"), try admin.get("/account"), try admin.get("/audit"),
            try admin.get("/audit?action=user.&limit=1"), try admin.get("/audit?from=never"),
            try admin.post("/users", ["username": "x", "password": "", "role": "viewer"]),
            try admin.post("/account/password", [:]), try viewer.get("/account"), try viewer.get("/users"),
        ]
        for reply in replies { try expectSafePage(reply) }
        #expect(replies.map(\.status) == [200, 200, 200, 200, 422, 422, 422, 200, 403])
    }

    // MARK: Helpers

    /// The ids of the entries listed on an audit page.
    private static func entryIDs(_ page: String) -> [Int] {
        page.matches(of: #/<tr id="entry-(\d+)">/#).compactMap { Int($0.output.1) }
    }

    /// The address of the "Older entries" link, unescaped.
    private static func olderLink(_ page: String) -> String? {
        page.firstMatch(of: #/href="([^"]+)" rel="next"/#).map {
            String($0.output.1).replacingOccurrences(of: "&amp;", with: "&")
        }
    }
}
