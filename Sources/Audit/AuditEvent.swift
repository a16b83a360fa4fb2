import Foundation

/// How an audited action ended.
public enum AuditOutcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// The action was carried out.
    case success
    /// The action was attempted and failed (a wrong password, an invalid token).
    case failure
    /// The action was refused by a control (a role check, a rate limit, CSRF).
    case denied
}

/// One entry of the audit log: who did what, when, from where, and how it ended.
///
/// Every string is stored as given and escaped wherever it is written out (log lines, CSV), so
/// a username holding CR/LF cannot forge a line.
public struct AuditEvent: Sendable, Hashable {
    /// When the action happened, in UTC.
    public var occurredAt: Date
    /// Who acted: a username, `anonymous` before sign-in, or `system` for the server itself.
    public var actor: String
    /// What was done, as `area.verb`: `auth.login`, `user.create`, `api.access`.
    public var action: String
    /// What it was done to: a user, a route, a source; empty when nothing in particular.
    public var target: String
    /// How it ended.
    public var outcome: AuditOutcome
    /// The client's address as the server determined it (proxy-aware).
    public var ip: String
    /// The client's `User-Agent`, cut to a bounded length.
    public var userAgent: String
    /// Further facts by name, such as a failure reason or a status code; never a secret.
    public var details: [String: String]

    /// The longest user agent kept; longer ones are cut.
    public static let userAgentLimit = 512

    /// Creates an event; `occurredAt` defaults to now.
    public init(
        occurredAt: Date = Date(), actor: String, action: String, target: String = "", outcome: AuditOutcome,
        ip: String = "", userAgent: String = "", details: [String: String] = [:]
    ) {
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.ip = ip
        // A string of no more bytes than the limit has no more characters either, so only a longer
        // one needs counting out by character.
        self.userAgent =
            userAgent.utf8.count <= Self.userAgentLimit ? userAgent : String(userAgent.prefix(Self.userAgentLimit))
        self.details = details
    }
}

/// Something that keeps audit events; the audit log, or a test double that collects them.
public protocol AuditRecorder: Sendable {
    /// Queues `event` for writing; blocks when the buffer is full rather than dropping it.
    func record(_ event: AuditEvent)
}
