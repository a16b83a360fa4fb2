import Foundation
import Storage
import TestSupport
import Testing

@testable import Identity

/// Runs `body` with a fresh, migrated control database of `store`.
func withControlDatabase<T>(_ store: TestStore, _ body: (any Database) throws -> T) throws -> T {
    try withTestDatabase(store) { database in
        try Migrator(database: database, migrations: ControlSchema.migrations, logger: testLogger).migrate()
        return try body(database)
    }
}

@Suite("User store") struct UserStoreTests {
    @Test(arguments: TestStore.all)
    func createsFindsAndLists(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let users = UserStore(database: database)
            let created = try users.create(username: "zoe", passwordHash: "h1", role: .viewer)
            _ = try users.create(username: "adam", passwordHash: "h2", role: .admin)
            #expect(created.id > 0)
            #expect(created.role == .viewer && !created.disabled)
            #expect(try users.find(id: created.id) == created)
            #expect(try users.credentials(username: "zoe")?.passwordHash == "h1")
            #expect(try users.credentials(username: "nobody") == nil)
            #expect(try users.list().map(\.username) == ["adam", "zoe"])
            #expect(try users.count() == 2)
        }
    }

    @Test(arguments: TestStore.all)
    func takenUsernameIsAConflict(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let users = UserStore(database: database)
            _ = try users.create(username: "sam", passwordHash: "h", role: .viewer)
            #expect(throws: IdentityError.conflict("A user named sam already exists.")) {
                try users.create(username: "sam", passwordHash: "other", role: .admin)
            }
        }
    }

    @Test(arguments: TestStore.all)
    func sessionEndingChangesMoveTheRevocationSecond(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let users = UserStore(database: database)
            let start = Date(timeIntervalSince1970: 1_800_000_000.75)
            let user = try users.create(username: "kim", passwordHash: "h", role: .viewer, now: start)
            #expect(user.tokensValidAfter == Date(timeIntervalSince1970: 1_800_000_000))

            let later = start.addingTimeInterval(30)
            let renamed = try users.update(id: user.id, UserChange(disabled: false), now: later)
            #expect(renamed.tokensValidAfter == user.tokensValidAfter)

            let promoted = try users.update(id: user.id, UserChange(role: .admin), now: later)
            #expect(promoted.role == .admin)
            #expect(promoted.tokensValidAfter == Date(timeIntervalSince1970: 1_800_000_030))

            let muchLater = later.addingTimeInterval(30)
            let rehashed = try users.update(id: user.id, UserChange(passwordHash: "new"), now: muchLater)
            #expect(rehashed.tokensValidAfter == Date(timeIntervalSince1970: 1_800_000_060))
            #expect(try users.passwordHash(id: user.id) == "new")
            #expect(try users.find(id: user.id) == rehashed)
        }
    }

    @Test(arguments: TestStore.all)
    func theLastEnabledAdminCannotBeRemoved(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let users = UserStore(database: database)
            let admin = try users.create(username: "root", passwordHash: "h", role: .admin)
            let viewer = try users.create(username: "view", passwordHash: "h", role: .viewer)
            for change in [UserChange(role: .viewer), UserChange(disabled: true)] {
                #expect(throws: IdentityError.self) { try users.update(id: admin.id, change) }
            }
            #expect(throws: IdentityError.self) { try users.delete(id: admin.id) }
            #expect(try users.find(id: admin.id)?.role == .admin)

            _ = try users.update(id: viewer.id, UserChange(role: .admin))
            #expect(try users.update(id: admin.id, UserChange(disabled: true)).disabled)
            #expect(throws: IdentityError.self) { try users.delete(id: viewer.id) }
            #expect(try users.delete(id: admin.id).username == "root")
            #expect(try users.find(id: admin.id) == nil)
        }
    }

    @Test(arguments: TestStore.all)
    func unknownIDsAreNotFound(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let users = UserStore(database: database)
            #expect(throws: IdentityError.notFound) { try users.update(id: 999, UserChange(role: .admin)) }
            #expect(throws: IdentityError.notFound) { try users.delete(id: 999) }
            let missing = try users.find(id: 999)
            #expect(missing == nil)
        }
    }

    @Test(arguments: [
        ("Alice", "alice"), ("bob.smith", "bob.smith"), ("x_9-z", "x_9-z"),
    ])
    func usernamesNormalize(input: String, expected: String) throws {
        #expect(try Username.normalize(input) == expected)
    }

    @Test(arguments: ["ab", String(repeating: "a", count: 65), "al ice", "ålice", "-lead", "a'b", "a\r\nb", ""])
    func badUsernamesAreRefused(input: String) {
        #expect(throws: UsernameError.self) { try Username.normalize(input) }
    }
}

@Suite("Revocation store") struct RevocationStoreTests {
    @Test(arguments: TestStore.all)
    func revokesOnceAndPrunesExpired(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let revocations = RevocationStore(database: database)
            let now = Date()
            try revocations.revoke(tokenID: "a", expiresAt: now.addingTimeInterval(-1))
            try revocations.revoke(tokenID: "b", expiresAt: now.addingTimeInterval(600))
            try revocations.revoke(tokenID: "b", expiresAt: now.addingTimeInterval(600))
            #expect(try revocations.prune(now: now) == 1)
            let left = try database.read { try $0.query("SELECT jti FROM revoked_tokens").map { try $0.string(0) } }
            #expect(left == ["b"])
        }
    }
}
