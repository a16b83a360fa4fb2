import HTTP
import Synchronization

/// The signed-in principal of a request, set by ``AccessControl``.
public enum PrincipalKey: RequestAttributeKey {
    /// The signed-in principal.
    public typealias Value = Principal
}

/// The client's proxy-aware address and user agent, set by ``AuditedAccess``.
public enum ClientContextKey: RequestAttributeKey {
    /// The client's address and user agent.
    public typealias Value = ClientContext
}

/// Filled in by inner middleware so that ``AuditedAccess``, which runs outside them, can name
/// the actor of a request.
final class AccessRecord: Sendable {
    private let actorName = Mutex<String?>(nil)

    var actor: String? {
        get { actorName.withLock { $0 } }
        set { actorName.withLock { $0 = newValue } }
    }
}

enum AccessRecordKey: RequestAttributeKey {
    typealias Value = AccessRecord
}

extension Request {
    /// The signed-in principal, or nil on an anonymous request.
    public var principal: Principal? { attributes[PrincipalKey.self] }

    /// The principal of a request to a route that requires sign-in.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw IdentityError.unauthenticated }
        return principal
    }

    /// The client's proxy-aware address and user agent; the peer's when ``AuditedAccess`` did not run.
    public var client: ClientContext {
        attributes[ClientContextKey.self]
            ?? ClientContext(address: remoteAddress, userAgent: headers["User-Agent"] ?? "")
    }
}
