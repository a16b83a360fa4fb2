import HTTP

/// What a signed-in user may do.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// Manages sources, syncs, users and dashboards, and reads the audit log.
    case admin
    /// Reads dashboards and data tables; never changes anything.
    case viewer

    /// Whether this role satisfies a route's declared access.
    public func satisfies(_ access: Access) -> Bool {
        switch access {
        case .anyone, .viewer: true
        case .admin: self == .admin
        }
    }
}
