import Foundation
import Identity
import TestSupport
import Testing

@testable import App

/// The user and audit endpoints as an admin script uses them, on both stores.
@Suite("API routes") struct APIRoutesTests {
    @Test(arguments: TestStore.all)
    func usersCanBeListedReadChangedAndDeleted(store: TestStore) throws {
        let app = try RunningApplication(store)
        let root = try app.addUser("root", role: .admin)
        let token = try app.token("root")
        let client = try app.client()
        let auth = [("Authorization", "Bearer \(token)")]

        let created = try client.postJSON(
            "/api/v1/users", ["username": "Nina", "password": "plenty long passphrase", "role": "viewer"],
            headers: auth)
        #expect(created.status == 201)
        let nina = try created.json()
        #expect(nina["username"] as? String == "nina")
        #expect(nina["password"] == nil && nina["passwordHash"] == nil)
        let id = try #require(nina["id"] as? Int)

        let list = try client.get("/api/v1/users", token: token)
        let names = (try list.json()["users"] as? [[String: Any]])?.compactMap { $0["username"] as? String }
        #expect(names == ["nina", "root"])
        #expect(try client.get("/api/v1/users/\(id)", token: token).json()["role"] as? String == "viewer")
        #expect(try client.get("/api/v1/users/999999", token: token).status == 404)
        #expect(try client.get("/api/v1/users/abc", token: token).status == 404)

        let duplicate = try client.postJSON(
            "/api/v1/users", ["username": "nina", "password": "plenty long passphrase", "role": "viewer"],
            headers: auth)
        #expect(duplicate.status == 409)

        let promoted = try client.postJSON("/api/v1/users/\(id)", ["role": "admin"], method: "PATCH", headers: auth)
        #expect(try promoted.json()["role"] as? String == "admin")
        let selfDelete = try client.request("DELETE", "/api/v1/users/\(root.id)", headers: auth)
        #expect(selfDelete.status == 409)
        #expect(try client.request("DELETE", "/api/v1/users/\(id)", headers: auth).status == 204)
        #expect(try client.get("/api/v1/users/\(id)", token: token).status == 404)
        let lastAdmin = try client.postJSON(
            "/api/v1/users/\(root.id)", ["disabled": true], method: "PATCH", headers: auth)
        #expect(lastAdmin.status == 409)

        let actions = try app.auditEvents().map(\.action)
        for action in ["user.create", "user.role_change", "user.delete"] {
            #expect(actions.contains(action), "no \(action) in \(actions)")
        }
    }

    @Test(arguments: TestStore.all)
    func theAuditLogPagesFiltersAndExports(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        let token = try app.token("root")
        let client = try app.client()
        for _ in 0..<3 {
            _ = try client.postJSON("/api/v1/auth/token", ["username": "=cmd", "password": "wrong guess 123"])
        }
        app.application.audit.flush()

        let first = try client.get("/api/v1/audit?action=auth.&limit=2", token: token).json()
        let entries = try #require(first["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { ($0["action"] as? String)?.hasPrefix("auth.") == true })
        let ids = entries.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted(by: >))
        let next = try #require(first["nextBefore"] as? Int)
        let second = try client.get("/api/v1/audit?action=auth.&limit=2&before=\(next)", token: token).json()
        let secondIDs = (second["entries"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
        #expect(!secondIDs.isEmpty && secondIDs.allSatisfy { $0 < ids.last! })

        let failures = try client.get("/api/v1/audit?outcome=failure&actor=%3Dcmd", token: token).json()
        #expect((failures["entries"] as? [Any])?.count == 3)
        #expect(try client.get("/api/v1/audit?outcome=maybe", token: token).status == 422)
        #expect(try client.get("/api/v1/audit?limit=501", token: token).status == 422)
        #expect(try client.get("/api/v1/audit?from=yesterday", token: token).status == 422)

        let csv = try client.get("/api/v1/audit.csv?actor=%3Dcmd", token: token)
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let lines = csv.text.split(separator: "\r\n")
        #expect(lines.first?.hasPrefix("id,occurred_at") == true)
        #expect(lines.count == 4)
        #expect(lines.dropFirst().allSatisfy { $0.contains(",'=cmd,") })
    }
}
