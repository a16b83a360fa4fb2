import Foundation

/// What a verified token says about its bearer.
public struct TokenClaims: Sendable, Hashable {
    /// The `sub` claim: the user the token was issued to.
    public let subject: String
    /// The `role` claim: the role the user had when the token was issued.
    public let role: Role
    /// The `iat` claim.
    public let issuedAt: Date
    /// The `exp` claim.
    public let expiresAt: Date
    /// The `jti` claim: 32 hex digits naming this token, used as the session id and for revocation.
    public let id: String
}

/// A freshly signed token and the values it carries that the caller needs to keep.
public struct IssuedToken: Sendable, Hashable {
    /// The compact serialization, for a cookie or an `Authorization: Bearer` header.
    public let token: String
    /// The `jti` claim: the session id.
    public let id: String
    /// The `iat` claim, whole seconds.
    public let issuedAt: Date
    /// The `exp` claim, whole seconds.
    public let expiresAt: Date
}
