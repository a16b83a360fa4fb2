/// Why a token was refused; safe to log and to audit, since it never holds the token.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule the token broke, as a stable short code for the audit log.
    public enum Reason: String, Sendable, CaseIterable {
        /// Not three segments of canonical unpadded base64url carrying flat JSON objects.
        case malformed
        /// Longer than ``TokenVerifier/maximumTokenLength`` bytes.
        case tooLarge = "too_large"
        /// A header or claims object repeats a key.
        case duplicateKey = "duplicate_key"
        /// The header's `alg` is not exactly `HS256`.
        case algorithm
        /// The header has keys other than `alg`, `typ` and `kid`, or lacks one of them.
        case header
        /// The header's `typ` is not exactly `JWT`.
        case type
        /// The header's `kid` names no configured key.
        case unknownKey = "unknown_key"
        /// The MAC does not match the key the header names.
        case signature
        /// A claim is missing, of the wrong type, unknown or out of range (`role`, `jti`, `sub`).
        case claims
        /// The `iss` claim is not this server's issuer.
        case issuer
        /// The `aud` claim is not this server's audience.
        case audience
        /// `exp` is not after `iat`, or further than the longest lifetime allowed.
        case lifetime
        /// `exp` has passed, beyond the leeway.
        case expired
        /// `iat` is in the future, beyond the leeway.
        case notYetValid = "not_yet_valid"
    }

    /// The rule the token broke.
    public let reason: Reason

    /// The reason's stable short code (`expired`, `signature`, …).
    public var code: String { reason.rawValue }

    /// Creates an error for a broken rule.
    public init(_ reason: Reason) {
        self.reason = reason
    }

    /// The code and a fixed explanation of it; no part of the token is included.
    public var description: String {
        "token refused (\(code)): " + explanation
    }

    private var explanation: String {
        switch reason {
        case .malformed: "not a compact JWS of base64url segments carrying flat JSON objects"
        case .tooLarge: "longer than \(TokenVerifier.maximumTokenLength) bytes"
        case .duplicateKey: "a JSON object repeats a key"
        case .algorithm: "the algorithm is not HS256"
        case .header: "the header must hold exactly alg, typ and kid"
        case .type: "the type is not JWT"
        case .unknownKey: "the key id names no configured key"
        case .signature: "the signature does not match"
        case .claims: "a claim is missing, unknown, of the wrong type or out of range"
        case .issuer: "the issuer is not this server"
        case .audience: "the audience is not this server"
        case .lifetime: "the lifetime is not between one second and the maximum"
        case .expired: "the token has expired"
        case .notYetValid: "the token was issued in the future"
        }
    }
}
