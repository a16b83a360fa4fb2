import Core
import Foundation

/// Signs session tokens: JWTs (RFC 7519) in compact JWS serialization with HS256 (RFC 7515).
///
/// The header is exactly `{"alg":"HS256","typ":"JWT","kid":"…"}` with the current key's id; the
/// claims are `iss`, `aud`, `sub`, `role`, `iat`, `exp` and a random 128-bit `jti`.
public struct TokenIssuer: Sendable {
    /// The longest lifetime a token may have; ``TokenVerifier`` refuses longer ones.
    public static let maximumLifetime: Duration = .seconds(3600)

    /// The keys; the current one signs.
    public let keys: TokenKeys
    /// The `iss` claim written into every token.
    public let issuer: String
    /// The `aud` claim written into every token.
    public let audience: String
    /// How long a token is valid after it is issued, in whole seconds.
    public let lifetime: Duration

    /// Creates an issuer; `lifetime` must be between one second and ``maximumLifetime``.
    public init(keys: TokenKeys, issuer: String, audience: String, lifetime: Duration = maximumLifetime) {
        precondition(
            lifetime >= .seconds(1) && lifetime <= Self.maximumLifetime, "token lifetime must be 1 s to 60 min")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetime = .seconds(lifetime.components.seconds)
    }

    /// Signs a token for `subject` with `role`, issued at `now` (rounded down to whole seconds).
    public func issue(subject: String, role: Role, now: Date) -> IssuedToken {
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let expiresAt = issuedAt + lifetime.components.seconds
        let id = Crypto.hex(Crypto.randomBytes(16))

        let header = #"{"alg":"HS256","typ":"JWT","kid":""# + keys.current.id + #""}"#
        var claims = JSONWriter()
        claims.beginObject()
        claims.key("iss")
        claims.string(issuer)
        claims.key("aud")
        claims.string(audience)
        claims.key("sub")
        claims.string(subject)
        claims.key("role")
        claims.string(role.rawValue)
        claims.key("iat")
        claims.integer(issuedAt)
        claims.key("exp")
        claims.integer(expiresAt)
        claims.key("jti")
        claims.string(id)
        claims.endObject()

        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(claims.bytes)
        let signature = keys.current.sign(Array(signingInput.utf8))
        return IssuedToken(
            token: signingInput + "." + Base64URL.encode(signature), id: id,
            issuedAt: Date(timeIntervalSince1970: TimeInterval(issuedAt)),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)))
    }
}

extension TokenKey {
    /// The HS256 MAC of a JWS signing input (`header.payload`, both base64url).
    func sign(_ signingInput: [UInt8]) -> [UInt8] {
        Crypto.hmacSHA256(key: secret, signingInput)
    }
}
