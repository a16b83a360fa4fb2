import Core

/// Signed double-submit CSRF tokens bound to one session.
///
/// A token is a random 16-byte nonce followed by HMAC-SHA-256(key, label ‖ session id ‖ nonce),
/// in unpadded base64url. It is sent in a cookie and echoed in the `X-CSRF-Token` header (or a form
/// field); the server checks the echoed value against the session, so a token planted through a
/// sibling domain's cookie, or lifted from another session, is refused. The session id is the
/// session token's `jti`. The key should be one used for nothing else.
public struct CSRFTokens: Sendable {
    private static let label = Array("syncline csrf token v1\u{0}".utf8)
    private static let nonceLength = 16
    private static let macLength = 32
    /// The text length of nonce and MAC (48 bytes) in unpadded base64url.
    private static let encodedLength = 64

    private let key: [UInt8]

    /// Creates a token maker and checker keyed with `key`.
    public init(key: [UInt8]) {
        self.key = key
    }

    /// A fresh token for the session with id `sessionID`.
    public func make(sessionID: String) -> String {
        let nonce = Crypto.randomBytes(Self.nonceLength)
        return Base64URL.encode(nonce + mac(sessionID: sessionID, nonce: nonce))
    }

    /// Whether `token` was made by ``make(sessionID:)`` with this key for this session; the MAC is
    /// compared in constant time.
    public func isValid(_ token: String, sessionID: String) -> Bool {
        let text = Array(token.utf8)
        guard text.count == Self.encodedLength, let bytes = Base64URL.decode(text) else { return false }
        let nonce = Array(bytes.prefix(Self.nonceLength))
        return Crypto.constantTimeEquals(
            mac(sessionID: sessionID, nonce: nonce), Array(bytes.dropFirst(Self.nonceLength)))
    }

    /// The MAC over the label, the session id and the nonce; the label and nonce have fixed lengths,
    /// so the session id between them is unambiguous.
    private func mac(sessionID: String, nonce: [UInt8]) -> [UInt8] {
        Crypto.hmacSHA256(key: key, Self.label + Array(sessionID.utf8) + nonce)
    }
}
