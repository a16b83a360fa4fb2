import Core
import Foundation

/// Checks session tokens made by ``TokenIssuer`` and reads their claims.
///
/// The order of the checks is part of the design: size and shape first (three segments of strict
/// base64url, decoded but not yet read); then the header, which
/// must be exactly `alg` = `HS256`, `typ` = `JWT` and the `kid` of a configured key; then the MAC,
/// compared in constant time; and only then the claims, so nothing an attacker wrote is
/// interpreted before it is known to come from this server.
public struct TokenVerifier: Sendable {
    /// The longest token accepted, in bytes.
    public static let maximumTokenLength = 4096
    /// The largest clock leeway allowed.
    public static let maximumLeeway: Duration = .seconds(60)

    /// The keys a token's `kid` may name.
    public let keys: TokenKeys
    /// The `iss` claim a token must carry.
    public let issuer: String
    /// The `aud` claim a token must carry.
    public let audience: String
    /// How far `exp` and `iat` may be off the local clock, in whole seconds.
    public let leeway: Duration

    private static let headerKeys: Set<String> = ["alg", "typ", "kid"]
    private static let claimKeys: Set<String> = ["iss", "aud", "sub", "role", "iat", "exp", "jti"]

    /// Creates a verifier; `leeway` must be between zero and ``maximumLeeway``.
    public init(keys: TokenKeys, issuer: String, audience: String, leeway: Duration = maximumLeeway) {
        precondition(leeway >= .zero && leeway <= Self.maximumLeeway, "token leeway must be 0 to 60 s")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = .seconds(leeway.components.seconds)
    }

    /// The claims of `token` when it is valid at `now`; otherwise the first rule it breaks.
    public func verify(_ token: String, now: Date) throws(TokenError) -> TokenClaims {
        let text = Array(token.utf8)
        guard text.count <= Self.maximumTokenLength else { throw TokenError(.tooLarge) }
        let segments = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, !segments[0].isEmpty, !segments[1].isEmpty else { throw TokenError(.malformed) }

        guard let header = Base64URL.decode(segments[0]), let payload = Base64URL.decode(segments[1]),
            let signature = Base64URL.decode(segments[2])
        else { throw TokenError(.malformed) }

        let key = try headerKey(header)
        let signingInput = Array(text[..<segments[1].endIndex])
        guard Crypto.constantTimeEquals(key.sign(signingInput), signature) else { throw TokenError(.signature) }

        return try claims(payload, now: now)
    }

    /// The key a valid header names.
    private func headerKey(_ bytes: [UInt8]) throws(TokenError) -> TokenKey {
        let header = try Self.object(bytes)
        guard case .string("HS256") = header["alg"] else { throw TokenError(.algorithm) }
        guard Set(header.keys) == Self.headerKeys else { throw TokenError(.header) }
        guard case .string("JWT") = header["typ"] else { throw TokenError(.type) }
        guard case .string(let id) = header["kid"], let key = keys.key(id: id) else {
            throw TokenError(.unknownKey)
        }
        return key
    }

    /// The claims of an authenticated payload, checked against the configuration and the clock.
    private func claims(_ bytes: [UInt8], now: Date) throws(TokenError) -> TokenClaims {
        let payload = try Self.object(bytes)
        guard Set(payload.keys) == Self.claimKeys,
            case .string(let tokenIssuer) = payload["iss"],
            case .string(let tokenAudience) = payload["aud"],
            case .string(let subject) = payload["sub"],
            case .string(let roleName) = payload["role"],
            case .integer(let issuedAt) = payload["iat"],
            case .integer(let expiresAt) = payload["exp"],
            case .string(let id) = payload["jti"]
        else { throw TokenError(.claims) }

        guard tokenIssuer == issuer else { throw TokenError(.issuer) }
        guard tokenAudience == audience else { throw TokenError(.audience) }
        guard !subject.isEmpty, let role = Role(rawValue: roleName), Self.isTokenID(id) else {
            throw TokenError(.claims)
        }

        let (lifetime, overflow) = expiresAt.subtractingReportingOverflow(issuedAt)
        guard !overflow, lifetime > 0, lifetime <= TokenIssuer.maximumLifetime.components.seconds else {
            throw TokenError(.lifetime)
        }
        let seconds = now.timeIntervalSince1970
        let leewaySeconds = Double(leeway.components.seconds)
        guard seconds <= Double(expiresAt) + leewaySeconds else { throw TokenError(.expired) }
        guard Double(issuedAt) <= seconds + leewaySeconds else { throw TokenError(.notYetValid) }

        return TokenClaims(
            subject: subject, role: role, issuedAt: Date(timeIntervalSince1970: TimeInterval(issuedAt)),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)), id: id)
    }

    /// Decoded segment bytes parsed as a flat JSON object.
    private static func object(_ bytes: [UInt8]) throws(TokenError) -> [String: JSONScalar] {
        do {
            return try StrictJSONObject.parse(bytes)
        } catch .duplicateKey {
            throw TokenError(.duplicateKey)
        } catch {
            throw TokenError(.malformed)
        }
    }

    /// Whether `id` is 32 lowercase hex digits, as ``TokenIssuer`` writes `jti`.
    private static func isTokenID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
