import Audit
import Core
import Foundation
import HTTP

/// Enforces every route's declared access, in this order: the per-address request limit,
/// authentication (bearer header or session cookie, never the URL), the route's role, CSRF for
/// unsafe cookie requests, and the per-user request limit.
///
/// Deny by default: a route reached without a match, or one declaring a role the principal
/// lacks, is refused. Every refusal is audited.
public struct AccessControl: Middleware {
    private let identity: IdentityService
    private let audit: any AuditRecorder
    private let addressLimiter: TokenBucketLimiter?
    private let userLimiter: TokenBucketLimiter?
    private let serviceTokens: [String: [UInt8]]
    private let rateLimitHits: Counter?

    /// Creates the middleware; limits of 0 requests per minute are off.
    ///
    /// `serviceTokens` maps route templates to a static bearer token that also opens them, for
    /// machines that hold no account (a Prometheus scraper reading `/metrics`).
    public init(
        identity: IdentityService, audit: any AuditRecorder, serviceTokens: [String: String] = [:],
        metrics: MetricsRegistry? = nil
    ) {
        self.identity = identity
        self.audit = audit
        rateLimitHits = metrics?.counter(
            "syncline_rate_limit_hits_total", help: "Requests refused by a rate limit, by scope: address or user.",
            labels: ["scope"])
        self.serviceTokens = serviceTokens.mapValues { Array($0.utf8) }
        let configuration = identity.configuration
        addressLimiter = Self.limiter(perMinute: configuration.requestsPerMinutePerAddress)
        userLimiter = Self.limiter(perMinute: configuration.requestsPerMinutePerUser)
    }

    /// A bucket holding a quarter minute of requests, refilled at the per-minute rate.
    private static func limiter(perMinute: Int) -> TokenBucketLimiter? {
        guard perMinute > 0 else { return nil }
        return TokenBucketLimiter(capacity: max(10, perMinute / 4), refillPerSecond: Double(perMinute) / 60)
    }

    /// Admits the request, or throws the refusal.
    public func respond(to request: Request, next: Responder) throws -> Response {
        // Early rejections (404, 405, 413, 415) need no identity; the server answers them.
        guard let route = request.route else { return try next(request) }
        var request = request
        let client = request.client
        let exempt = route.metadata.tags.contains("operations")

        if !exempt, let addressLimiter,
            case .limited(let seconds) = addressLimiter.take(key: client.address.description)
        {
            rateLimitHits?.increment(["address"])
            refuse(request, client, actor: "anonymous", action: "rate_limit.hit", ["scope": "address"])
            throw IdentityError.throttled(retryAfter: seconds)
        }

        if let expected = serviceTokens[route.template], let authorization = request.headers["Authorization"],
            authorization.hasPrefix("Bearer "),
            Crypto.constantTimeEquals(Array(authorization.utf8.dropFirst(7)), expected)
        {
            return try next(request)
        }

        let principal = try authenticate(request, client)
        if let principal {
            request.attributes[PrincipalKey.self] = principal
            request.attributes[AccessRecordKey.self]?.actor = principal.user.username
        }

        switch route.metadata.access {
        case .anyone:
            try checkOrigin(request, client, actor: principal?.user.username ?? "anonymous")
        case .viewer, .admin:
            guard let principal else { throw IdentityError.unauthenticated }
            guard principal.user.role.satisfies(route.metadata.access) else {
                refuse(
                    request, client, actor: principal.user.username, action: "access.denied",
                    ["role": principal.user.role.rawValue, "required": route.metadata.access.rawValue])
                throw IdentityError.forbidden
            }
        }
        if let principal, principal.credential == .cookie, !request.method.isSafe {
            try checkCSRF(request, client, principal)
        }
        if let principal, let userLimiter, case .limited(let seconds) = userLimiter.take(key: String(principal.user.id))
        {
            rateLimitHits?.increment(["user"])
            refuse(request, client, actor: principal.user.username, action: "rate_limit.hit", ["scope": "user"])
            throw IdentityError.throttled(retryAfter: seconds)
        }
        return try next(request)
    }

    /// The principal of a bearer header or session cookie; nil without either.
    ///
    /// A presented token that fails is audited, and refused with 401 unless the route is open to
    /// anyone.
    private func authenticate(_ request: Request, _ client: ClientContext) throws -> Principal? {
        let presented: (token: String, credential: Credential)
        if let authorization = request.headers["Authorization"] {
            guard authorization.hasPrefix("Bearer "), authorization.count > 7 else {
                return try reject(request, client, reason: "authorization_scheme")
            }
            presented = (String(authorization.dropFirst(7)), .bearer)
        } else if let cookie = request.cookies[identity.configuration.sessionCookieName] {
            presented = (cookie, .cookie)
        } else {
            return nil
        }
        switch try identity.authenticate(token: presented.token, credential: presented.credential) {
        case .success(let principal):
            return principal
        case .failure(let rejection):
            return try reject(request, client, reason: rejection.reason)
        }
    }

    private func reject(_ request: Request, _ client: ClientContext, reason: String) throws -> Principal? {
        refuse(
            request, client, actor: "anonymous", action: "auth.token_rejected", ["reason": reason], outcome: .failure)
        if request.route?.metadata.access == .anyone { return nil }
        throw IdentityError.unauthenticated
    }

    /// Unsafe cookie requests must carry the session's CSRF token and come from this origin.
    private func checkCSRF(_ request: Request, _ client: ClientContext, _ principal: Principal) throws {
        try checkOrigin(request, client, actor: principal.user.username, requirePresence: true)
        let token = request.headers["X-CSRF-Token"] ?? formField("csrf_token", of: request)
        guard let token, identity.isValidCSRFToken(token, for: principal) else {
            refuse(
                request, client, actor: principal.user.username, action: "csrf.rejected",
                ["reason": token == nil ? "missing_token" : "invalid_token"])
            throw IdentityError.csrfRejected
        }
    }

    /// Refuses an unsafe request whose `Origin` names another site.
    ///
    /// With `requirePresence`, a request without `Origin` passes only with
    /// `Sec-Fetch-Site: same-origin`.
    private func checkOrigin(
        _ request: Request, _ client: ClientContext, actor: String, requirePresence: Bool = false
    ) throws {
        guard !request.method.isSafe else { return }
        if let origin = request.headers["Origin"] {
            guard origin == identity.configuration.publicOrigin else {
                refuse(request, client, actor: actor, action: "csrf.rejected", ["reason": "foreign_origin"])
                throw IdentityError.csrfRejected
            }
            return
        }
        if requirePresence, request.headers["Sec-Fetch-Site"] != "same-origin" {
            refuse(request, client, actor: actor, action: "csrf.rejected", ["reason": "missing_origin"])
            throw IdentityError.csrfRejected
        }
    }

    private func formField(_ name: String, of request: Request) -> String? {
        guard request.mediaType == "application/x-www-form-urlencoded",
            let form = QueryParameters(parsing: Substring(decoding: request.body, as: UTF8.self))
        else { return nil }
        return form[name]
    }

    private func refuse(
        _ request: Request, _ client: ClientContext, actor: String, action: String, _ details: [String: String],
        outcome: AuditOutcome = .denied
    ) {
        var details = details
        details["method"] = request.method.rawValue
        audit.record(
            AuditEvent(
                actor: actor, action: action, target: request.route?.template ?? request.path, outcome: outcome,
                ip: client.address.description, userAgent: client.userAgent, details: details))
    }
}
