import Foundation
import HTTP
import Identity

/// `/api/v1/auth`: sign-in with a cookie session or a bearer token, sign-out, the current user,
/// and changing one's own password.
public struct AuthRoutes: Sendable {
    private let identity: IdentityService

    /// Creates the routes over the identity service.
    public init(identity: IdentityService) {
        self.identity = identity
    }

    private static let bodyLimit = 8 * 1024
    private static let credentialsSchema = JSONSchema.object(
        properties: [("username", .string()), ("password", .string())], required: ["username", "password"])
    private static let sessionSchema = JSONSchema.object(
        properties: [
            ("user", UserResource.schema), ("expiresAt", .string(format: "date-time")),
            ("csrfToken", .string(description: "Send back as X-CSRF-Token on unsafe requests.")),
        ],
        required: ["user", "expiresAt", "csrfToken"])
    private static let tokenSchema = JSONSchema.object(
        properties: [
            ("token", .string()), ("tokenType", .string(allowed: ["Bearer"])),
            ("expiresAt", .string(format: "date-time")),
        ],
        required: ["token", "tokenType", "expiresAt"])

    /// A sign-in route: open to anyone, a credentials body, and the password hash checked on the
    /// blocking-work threads.
    private static func signInMetadata(summary: String, success: ResponseDocumentation) -> RouteMetadata {
        RouteMetadata(
            access: .anyone, summary: summary, tags: ["auth"], accepts: ["application/json"], bodyLimit: bodyLimit,
            requestSchema: credentialsSchema,
            responses: [
                200: success,
                401: ResponseDocumentation("Incorrect username or password.", schema: .errorBody),
                422: ResponseDocumentation("A field is missing or malformed.", schema: .errorBody),
                429: ResponseDocumentation("Too many failed attempts; see Retry-After.", schema: .errorBody),
                503: ResponseDocumentation("Every password hashing slot is busy; see Retry-After.", schema: .errorBody),
            ],
            blocking: true)
    }

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .post, "/api/v1/auth/login",
            Self.signInMetadata(
                summary: "Sign in; sets the session and CSRF cookies.",
                success: ResponseDocumentation("Signed in.", schema: Self.sessionSchema))
        ) { request in
            let session = try signIn(request)
            var response = try Response.json(SessionBody(session))
            identity.setSessionCookies(for: session, on: &response)
            return response
        }
        router.add(
            .post, "/api/v1/auth/token",
            Self.signInMetadata(
                summary: "Sign in for an API client; returns a bearer token.",
                success: ResponseDocumentation("A token.", schema: Self.tokenSchema))
        ) { request in
            try Response.json(TokenBody(try signIn(request)))
        }
        router.add(
            .post, "/api/v1/auth/logout",
            RouteMetadata(
                access: .viewer, summary: "Sign out; the token stops working at once.", tags: ["auth"],
                responses: [204: ResponseDocumentation("Signed out.")])
        ) { request in
            try identity.signOut(try request.requirePrincipal(), client: request.client)
            var response = Response(status: 204)
            identity.clearSessionCookies(on: &response)
            return response
        }
        router.add(
            .get, "/api/v1/auth/me",
            RouteMetadata(
                access: .viewer, summary: "The signed-in user.", tags: ["auth"],
                responses: [200: ResponseDocumentation("The user and session.", schema: Self.sessionSchema)])
        ) { request in
            let principal = try request.requirePrincipal()
            return try Response.json(
                SessionBody(
                    user: UserResource(principal.user), expiresAt: principal.expiresAt,
                    csrfToken: identity.csrfToken(for: principal)))
        }
        router.add(
            .post, "/api/v1/auth/password",
            RouteMetadata(
                access: .viewer, summary: "Change your own password; other sessions end.", tags: ["auth"],
                accepts: ["application/json"], bodyLimit: Self.bodyLimit,
                requestSchema: .object(
                    properties: [("currentPassword", .string()), ("newPassword", .string())],
                    required: ["currentPassword", "newPassword"]),
                responses: [
                    200: ResponseDocumentation(
                        "Changed; a new session replaces the old one.", schema: Self.sessionSchema),
                    422: ResponseDocumentation("Wrong current password or a weak new one.", schema: .errorBody),
                ],
                blocking: true)
        ) { request in
            let principal = try request.requirePrincipal()
            var body = try JSONBody(request)
            let current = body.string("currentPassword", maxLength: 1024)
            let new = body.string("newPassword", maxLength: 1024)
            try body.finish()
            let session = try identity.changeOwnPassword(
                principal, current: current!, new: new!, client: request.client)
            if principal.credential == .bearer {
                return try Response.json(TokenBody(session))
            }
            var response = try Response.json(SessionBody(session))
            identity.setSessionCookies(for: session, on: &response)
            return response
        }
    }

    private func signIn(_ request: Request) throws -> SignedIn {
        var body = try JSONBody(request)
        let username = body.string("username")
        let password = body.string("password", maxLength: 1024)
        try body.finish()
        return try identity.signIn(username: username!, password: password!, client: request.client)
    }
}

private struct SessionBody: Encodable {
    let user: UserResource
    let expiresAt: Date
    let csrfToken: String

    init(user: UserResource, expiresAt: Date, csrfToken: String) {
        self.user = user
        self.expiresAt = expiresAt
        self.csrfToken = csrfToken
    }

    init(_ session: SignedIn) {
        self.init(user: UserResource(session.user), expiresAt: session.expiresAt, csrfToken: session.csrfToken)
    }
}

private struct TokenBody: Encodable {
    let token: String
    let tokenType = "Bearer"
    let expiresAt: Date

    init(_ session: SignedIn) {
        token = session.token
        expiresAt = session.expiresAt
    }
}
