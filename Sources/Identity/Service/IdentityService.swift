import Audit
import Core
import Foundation
import Storage

/// Where a request came from, for throttling and the audit log.
public struct ClientContext: Sendable {
    /// The client's address, proxy-aware.
    public var address: IPAddress
    /// The client's `User-Agent`.
    public var userAgent: String

    /// Creates a context.
    public init(address: IPAddress, userAgent: String) {
        self.address = address
        self.userAgent = userAgent
    }
}

/// How a request proved who it is.
public enum Credential: String, Sendable {
    /// The session cookie set at sign-in; unsafe requests also need the CSRF token.
    case cookie
    /// An `Authorization: Bearer` token from `POST /api/v1/auth/token`.
    case bearer
}

/// The signed-in user behind a request, as the database says now (not as the token said).
public struct Principal: Sendable {
    /// The user, with their current role.
    public let user: User
    /// The token's `jti`, which logout denylists and CSRF tokens are bound to.
    public let tokenID: String
    /// When the token expires.
    public let expiresAt: Date
    /// Cookie or bearer.
    public let credential: Credential
}

/// The outcome of a successful sign-in.
public struct SignedIn: Sendable {
    /// The user who signed in.
    public let user: User
    /// The signed JWT.
    public let token: String
    /// The token's `jti`.
    public let tokenID: String
    /// When the token expires.
    public let expiresAt: Date
    /// The CSRF token bound to this session.
    public let csrfToken: String
}

/// Why a presented token was not accepted; the reason goes to the audit log, never the client.
public struct TokenRejection: Error, Sendable {
    /// A short stable code, such as `signature`, `expired`, `revoked` or `user_disabled`.
    public let reason: String
}

/// Sign-in, sessions and account changes, with their throttles and audit events.
public final class IdentityService: Sendable {
    /// The settings it was built with.
    public let configuration: IdentityConfiguration
    /// The user table.
    public let users: UserStore
    /// The password rules new passwords must pass.
    public let policy: PasswordPolicy
    private let revocations: RevocationStore
    private let throttle: LoginThrottle
    private let hasher: PasswordHasher
    private let hashingPool: PasswordHashingPool
    private let issuer: TokenIssuer
    private let verifier: TokenVerifier
    private let csrfTokens: CSRFTokens
    private let database: any Database
    private let audit: any AuditRecorder
    private let logger: Logger
    private let signIns: Counter?

    /// Creates the service over the migrated control database.
    public init(
        configuration: IdentityConfiguration, database: any Database, audit: any AuditRecorder,
        policy: PasswordPolicy, hasher: PasswordHasher? = nil, logger: Logger, metrics: MetricsRegistry? = nil
    ) throws {
        let hasher = try hasher ?? PasswordHasher()
        self.configuration = configuration
        self.database = database
        self.audit = audit
        self.policy = policy
        self.hasher = hasher
        self.logger = logger
        signIns = metrics?.counter(
            "syncline_sign_ins_total", help: "Sign-in attempts by outcome: success, failure or denied.",
            labels: ["outcome"])
        users = UserStore(database: database)
        revocations = RevocationStore(database: database)
        throttle = LoginThrottle(database: database, configuration: configuration.loginThrottle)
        hashingPool = PasswordHashingPool(
            hasher: hasher,
            configuration: PasswordHashingPool.Configuration(
                threadCount: configuration.hashingThreads, queueCapacity: configuration.hashingQueueLimit),
            metrics: metrics)
        let keys = TokenKeys(current: configuration.sessionSecret, previous: configuration.previousSessionSecret)
        issuer = TokenIssuer(keys: keys, issuer: configuration.issuer, audience: configuration.audience)
        verifier = TokenVerifier(keys: keys, issuer: configuration.issuer, audience: configuration.audience)
        csrfTokens = CSRFTokens(key: Crypto.hmacSHA256(key: configuration.sessionSecret, Array("csrf".utf8)))
    }

    /// Stops the hashing threads.
    public func close() {
        hashingPool.shutDown()
    }

    // MARK: Sign-in

    /// Checks a username and password and opens a session.
    ///
    /// Unknown users cost one dummy hash, so neither the answer nor its timing says whether a
    /// name exists. Every attempt is audited; failures count against the name and the address.
    public func signIn(username rawUsername: String, password: String, client: ClientContext) throws -> SignedIn {
        let username = (try? Username.normalize(rawUsername)) ?? String(rawUsername.lowercased().prefix(64))
        let keys = LoginThrottle.keys(username: username, address: client.address.description)
        let event = { [signIns] (outcome: AuditOutcome, details: [String: String]) in
            signIns?.increment([outcome.rawValue])
            return AuditEvent(
                actor: username, action: "auth.login", target: username, outcome: outcome,
                ip: client.address.description, userAgent: client.userAgent, details: details)
        }

        if let seconds = try throttle.lockedFor(keys) {
            audit.record(event(.denied, ["reason": "locked", "retryAfter": String(seconds)]))
            throw IdentityError.throttled(retryAfter: seconds)
        }

        let stored = try users.credentials(username: username)
        var matches = false
        do {
            if let stored {
                matches = try hashingPool.verify(password: password, against: stored.passwordHash)
            } else {
                try hashingPool.dummyVerify(password: password)
            }
        } catch {
            audit.record(event(.denied, ["reason": "busy"]))
            throw IdentityError.busy(retryAfter: 1)
        }

        guard let stored, matches, !stored.user.disabled else {
            let reason = stored == nil ? "unknown_user" : (matches ? "disabled" : "wrong_password")
            audit.record(event(.failure, ["reason": reason]))
            if let seconds = try throttle.recordFailure(keys) {
                audit.record(
                    AuditEvent(
                        actor: username, action: "auth.lockout", target: username, outcome: .denied,
                        ip: client.address.description, userAgent: client.userAgent,
                        details: ["lockSeconds": String(seconds)]))
            }
            throw IdentityError.invalidCredentials
        }

        try throttle.recordSuccess(keys[0])
        if hasher.needsRehash(stored.passwordHash) {
            let fresh = try hashingPool.hash(password: password)
            try users.rehash(id: stored.user.id, passwordHash: fresh)
        }
        let session = open(for: stored.user)
        audit.record(event(.success, ["tokenId": session.tokenID]))
        return session
    }

    /// Issues a token for `user`, never dated at or before the user's revocation second.
    private func open(for user: User) -> SignedIn {
        let now = max(Date(), user.tokensValidAfter.addingTimeInterval(1))
        let issued = issuer.issue(subject: String(user.id), role: user.role, now: now)
        return SignedIn(
            user: user, token: issued.token, tokenID: issued.id, expiresAt: issued.expiresAt,
            csrfToken: csrfTokens.make(sessionID: issued.id))
    }

    /// Ends the session: its token is denylisted until it expires.
    public func signOut(_ principal: Principal, client: ClientContext) throws {
        try revocations.revoke(tokenID: principal.tokenID, expiresAt: principal.expiresAt)
        try revocations.prune()
        audit.record(
            AuditEvent(
                actor: principal.user.username, action: "auth.logout", target: principal.user.username,
                outcome: .success, ip: client.address.description, userAgent: client.userAgent,
                details: ["tokenId": principal.tokenID]))
    }

    // MARK: Requests

    /// The principal behind `token`: the signature and claims must hold, the token must not be
    /// revoked, and the user must exist, be enabled and not have revoked older tokens.
    public func authenticate(token: String, credential: Credential, now: Date = Date()) throws
        -> Result<Principal, TokenRejection>
    {
        let claims: TokenClaims
        do {
            claims = try verifier.verify(token, now: now)
        } catch {
            return .failure(TokenRejection(reason: error.code))
        }
        guard let id = Int64(claims.subject) else { return .failure(TokenRejection(reason: "claims")) }
        let row = try database.read { connection in
            try connection.queryOne(
                """
                SELECT id, username, role, disabled, tokens_valid_after, created_at, updated_at,
                    EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked
                FROM users WHERE id = $1
                """,
                [.integer(id), .text(claims.id)])
        }
        guard let row else { return .failure(TokenRejection(reason: "unknown_user")) }
        guard try !row.bool("revoked") else { return .failure(TokenRejection(reason: "revoked")) }
        let user = try UserStore.user(from: row)
        guard !user.disabled else { return .failure(TokenRejection(reason: "user_disabled")) }
        guard claims.issuedAt > user.tokensValidAfter else {
            return .failure(TokenRejection(reason: "superseded"))
        }
        return .success(Principal(user: user, tokenID: claims.id, expiresAt: claims.expiresAt, credential: credential))
    }

    /// Whether `token` is the CSRF token of `principal`'s session.
    public func isValidCSRFToken(_ token: String, for principal: Principal) -> Bool {
        csrfTokens.isValid(token, sessionID: principal.tokenID)
    }

    /// A fresh CSRF token for `principal`'s session.
    public func csrfToken(for principal: Principal) -> String {
        csrfTokens.make(sessionID: principal.tokenID)
    }

    // MARK: Accounts

    /// Creates a user after checking the username and the password rules.
    public func createUser(
        username rawUsername: String, password: String, role: Role, actor: String, client: ClientContext?
    ) throws -> User {
        let username: String
        do {
            username = try Username.normalize(rawUsername)
        } catch {
            throw IdentityError.invalid(fields: ["username": "The username \(error.description)."])
        }
        try checkPassword(password, username: username, field: "password")
        let hash = try hashed(password)
        let user = try users.create(username: username, passwordHash: hash, role: role)
        record(actor: actor, action: "user.create", target: user.username, client: client, ["role": role.rawValue])
        return user
    }

    /// Changes an admin-editable field of user `id`; a new password is checked against the rules.
    ///
    /// Password, role and disable changes end the user's sessions at once.
    public func updateUser(
        id: Int64, role: Role? = nil, disabled: Bool? = nil, password: String? = nil, actor: String,
        client: ClientContext?
    ) throws -> User {
        guard let existing = try users.find(id: id) else { throw IdentityError.notFound }
        var hash: String?
        if let password {
            try checkPassword(password, username: existing.username, field: "password")
            hash = try hashed(password)
        }
        let user = try users.update(id: id, UserChange(role: role, disabled: disabled, passwordHash: hash))
        var details: [String: String] = [:]
        if let role, role != existing.role { details["role"] = "\(existing.role.rawValue)->\(role.rawValue)" }
        if let disabled, disabled != existing.disabled { details["disabled"] = String(disabled) }
        if password != nil { details["password"] = "changed" }
        let action =
            details["role"] != nil ? "user.role_change" : details["disabled"] != nil ? "user.disable" : "user.update"
        record(actor: actor, action: action, target: user.username, client: client, details)
        return user
    }

    /// Changes the signed-in user's own password after checking the current one, ends every
    /// session of the user, and opens a new one so the caller stays signed in.
    public func changeOwnPassword(
        _ principal: Principal, current: String, new: String, client: ClientContext
    ) throws -> SignedIn {
        let username = principal.user.username
        guard let stored = try users.passwordHash(id: principal.user.id) else { throw IdentityError.notFound }
        let matches = try hashingPool.verify(password: current, against: stored)
        guard matches else {
            record(
                actor: username, action: "user.password_change", target: username, client: client, outcome: .failure,
                ["reason": "wrong_password"])
            throw IdentityError.invalid(fields: ["currentPassword": "The current password is not correct."])
        }
        try checkPassword(new, username: username, field: "newPassword")
        let hash = try hashed(new)
        let user = try users.update(id: principal.user.id, UserChange(passwordHash: hash))
        record(actor: username, action: "user.password_change", target: username, client: client, [:])
        return open(for: user)
    }

    /// Deletes user `id`; their tokens stop working because the user no longer exists.
    public func deleteUser(id: Int64, actor: String, client: ClientContext?) throws -> User {
        let user = try users.delete(id: id)
        record(actor: actor, action: "user.delete", target: user.username, client: client, [:])
        return user
    }

    /// A new hash of `password` from the pool; a full pool is a 503 rather than a 500.
    private func hashed(_ password: String) throws -> String {
        do {
            return try hashingPool.hash(password: password)
        } catch .busy {
            throw IdentityError.busy(retryAfter: 1)
        }
    }

    private func checkPassword(_ password: String, username: String, field: String) throws {
        do {
            try policy.validate(password: password, username: username)
        } catch {
            throw IdentityError.invalid(fields: [field: error.description])
        }
    }

    private func record(
        actor: String, action: String, target: String, client: ClientContext?, outcome: AuditOutcome = .success,
        _ details: [String: String]
    ) {
        audit.record(
            AuditEvent(
                actor: actor, action: action, target: target, outcome: outcome,
                ip: client?.address.description ?? "", userAgent: client?.userAgent ?? "", details: details))
    }
}
