import Foundation
import Storage

/// Reads and writes users in the control database; the same SQL runs on SQLite and PostgreSQL.
public struct UserStore: Sendable {
    private let database: any Database
    private static let columns = "id, username, role, disabled, tokens_valid_after, created_at, updated_at"

    /// Creates a store over the migrated control database.
    public init(database: any Database) {
        self.database = database
    }

    /// Inserts a user; throws ``IdentityError/conflict(_:)`` when the username is taken.
    public func create(username: String, passwordHash: String, role: Role, now: Date = Date()) throws -> User {
        let second = Self.wholeSecond(now)
        do {
            return try database.write { connection in
                let row = try connection.queryOne(
                    """
                    INSERT INTO users (username, password_hash, role, disabled, tokens_valid_after, created_at, \
                    updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $6)
                    RETURNING \(Self.columns)
                    """,
                    [
                        .text(username), .text(passwordHash), .text(role.rawValue), .bool(false), .timestamp(second),
                        .timestamp(now),
                    ])
                return try Self.user(from: row!)
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw IdentityError.conflict("A user named \(username) already exists.")
        }
    }

    /// The user with this id, or nil.
    public func find(id: Int64) throws -> User? {
        try database.read { connection in
            try connection.queryOne("SELECT \(Self.columns) FROM users WHERE id = $1", [.integer(id)])
                .map(Self.user)
        }
    }

    /// The user with this (normalized) username, with the stored password hash, or nil.
    public func credentials(username: String) throws -> (user: User, passwordHash: String)? {
        try database.read { connection in
            guard
                let row = try connection.queryOne(
                    "SELECT \(Self.columns), password_hash FROM users WHERE username = $1", [.text(username)])
            else { return nil }
            return (try Self.user(from: row), try row.string("password_hash"))
        }
    }

    /// The stored password hash of user `id`, or nil when there is no such user.
    public func passwordHash(id: Int64) throws -> String? {
        try database.read { connection in
            try connection.queryOne("SELECT password_hash FROM users WHERE id = $1", [.integer(id)])?
                .string(0)
        }
    }

    /// Every user, ordered by username.
    public func list() throws -> [User] {
        try database.read { connection in
            try connection.query("SELECT \(Self.columns) FROM users ORDER BY username").map(Self.user)
        }
    }

    /// How many users exist.
    public func count() throws -> Int {
        try database.read { connection in
            Int(try connection.queryOne("SELECT count(*) FROM users")?.int(0) ?? 0)
        }
    }

    /// Applies `change` to user `id` in one transaction and returns the user as stored.
    ///
    /// A change that revokes sessions (password, role, disabling) moves `tokens_valid_after` to
    /// the current second, so every token issued until now stops working on its next request.
    /// Refuses a change that would leave no enabled admin, since nobody could then manage users.
    public func update(id: Int64, _ change: UserChange, now: Date = Date()) throws -> User {
        try database.transaction { connection in
            guard let row = try connection.queryOne("SELECT \(Self.columns) FROM users WHERE id = $1", [.integer(id)])
            else { throw IdentityError.notFound }
            var user = try Self.user(from: row)
            let wasActiveAdmin = user.role == .admin && !user.disabled
            if let role = change.role { user.role = role }
            if let disabled = change.disabled { user.disabled = disabled }
            if wasActiveAdmin, user.role != .admin || user.disabled {
                try Self.requireAnotherActiveAdmin(besides: id, connection)
            }
            if change.revokesSessions(of: try Self.user(from: row)) {
                // Tokens are dated up to one second past the previous revocation (see
                // IdentityService), so the new one must lie past that too.
                user.tokensValidAfter = max(Self.wholeSecond(now), user.tokensValidAfter.addingTimeInterval(1))
            }
            user.updatedAt = now
            try connection.execute(
                """
                UPDATE users SET role = $2, disabled = $3, tokens_valid_after = $4, updated_at = $5,
                    password_hash = COALESCE($6, password_hash)
                WHERE id = $1
                """,
                [
                    .integer(id), .text(user.role.rawValue), .bool(user.disabled), .timestamp(user.tokensValidAfter),
                    .timestamp(now), change.passwordHash.map(DatabaseValue.text) ?? .null,
                ])
            return user
        }
    }

    /// Stores a new hash of the same password (after a parameter change) without ending sessions.
    public func rehash(id: Int64, passwordHash: String) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE users SET password_hash = $2 WHERE id = $1", [.integer(id), .text(passwordHash)])
        }
    }

    /// Deletes user `id`; refuses to delete the last enabled admin.
    public func delete(id: Int64) throws -> User {
        try database.transaction { connection in
            guard let row = try connection.queryOne("SELECT \(Self.columns) FROM users WHERE id = $1", [.integer(id)])
            else { throw IdentityError.notFound }
            let user = try Self.user(from: row)
            if user.role == .admin, !user.disabled {
                try Self.requireAnotherActiveAdmin(besides: id, connection)
            }
            try connection.execute("DELETE FROM users WHERE id = $1", [.integer(id)])
            return user
        }
    }

    private static func requireAnotherActiveAdmin(besides id: Int64, _ connection: any DatabaseConnection) throws {
        let others =
            try connection.queryOne(
                "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = $2 AND id <> $1",
                [.integer(id), .bool(false)])?.int(0) ?? 0
        guard others > 0 else {
            throw IdentityError.conflict("This is the last enabled admin; make another user admin first.")
        }
    }

    /// Token times have whole seconds, so revocation times do too (see ``User/tokensValidAfter``).
    static func wholeSecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    static func user(from row: Row) throws -> User {
        guard let role = Role(rawValue: try row.string("role")) else {
            throw DatabaseError(.typeMismatch, message: "users.role holds an unknown role")
        }
        return User(
            id: try row.int("id"), username: try row.string("username"), role: role,
            disabled: try row.bool("disabled"), tokensValidAfter: try row.date("tokens_valid_after"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

/// The fields of a user an admin (or the user, for the password) may change; nil leaves a field.
public struct UserChange: Sendable {
    /// A new role.
    public var role: Role?
    /// Disable (true) or enable (false).
    public var disabled: Bool?
    /// A new password, already hashed.
    public var passwordHash: String?

    /// Creates a change; every field defaults to "leave as is".
    public init(role: Role? = nil, disabled: Bool? = nil, passwordHash: String? = nil) {
        self.role = role
        self.disabled = disabled
        self.passwordHash = passwordHash
    }

    /// Whether applying this to `user` must end the user's sessions.
    func revokesSessions(of user: User) -> Bool {
        passwordHash != nil || (role != nil && role != user.role) || (disabled == true && !user.disabled)
    }
}
