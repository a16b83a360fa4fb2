import Core

/// One secret that signs or verifies tokens, with the key id derived from it.
public struct TokenKey: Sendable {
    /// The `kid` header value: the first 16 hex digits of SHA-256 over a fixed label and the secret.
    ///
    /// Derived, so operators configure secrets only; it names the key without revealing the secret.
    public let id: String
    /// The HMAC-SHA-256 key.
    let secret: [UInt8]

    /// The label hashed before the secret, so the key id is no plain hash of the secret.
    private static let idLabel = Array("syncline token key id\u{0}".utf8)

    /// Wraps a secret and derives its id.
    init(secret: [UInt8]) {
        self.secret = secret
        self.id = String(Crypto.hex(Crypto.sha256(Self.idLabel + secret)).prefix(16))
    }
}

/// A secret shorter than ``TokenKeys/minimumSecretLength``.
public struct TokenKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which configured secret is too short.
    public enum Secret: String, Sendable {
        /// The secret that signs new tokens.
        case current
        /// The secret kept to verify tokens signed before a rotation.
        case previous
    }

    /// The secret that is too short.
    public let secret: Secret
    /// Its length in bytes.
    public let length: Int

    /// Which secret and how long it is, never the secret itself.
    public var description: String {
        "the \(secret.rawValue) token secret is \(length) bytes; at least \(TokenKeys.minimumSecretLength) are needed"
    }
}

/// The keys tokens are signed and verified with: the current one and, during a rotation, the previous.
///
/// New tokens are signed with `current`; tokens carrying the previous key's id still verify until
/// the previous secret is removed from the configuration.
public struct TokenKeys: Sendable {
    /// The fewest secret bytes ``init(validatingCurrent:previous:)`` accepts.
    public static let minimumSecretLength = 32

    /// The key that signs new tokens.
    public let current: TokenKey
    /// The key that still verifies tokens signed before the last rotation, if any.
    public let previous: TokenKey?

    /// Creates keys from secrets of any length, for development and tests; a previous secret equal
    /// to the current one is ignored.
    public init(current: [UInt8], previous: [UInt8]? = nil) {
        self.current = TokenKey(secret: current)
        self.previous = previous.flatMap { $0 == current ? nil : TokenKey(secret: $0) }
    }

    /// Creates keys, throwing when a secret is shorter than ``minimumSecretLength`` bytes.
    public init(validatingCurrent current: [UInt8], previous: [UInt8]? = nil) throws(TokenKeyError) {
        guard current.count >= Self.minimumSecretLength else {
            throw TokenKeyError(secret: .current, length: current.count)
        }
        if let previous, previous.count < Self.minimumSecretLength {
            throw TokenKeyError(secret: .previous, length: previous.count)
        }
        self.init(current: current, previous: previous)
    }

    /// The key with the given id, or nil when no configured key has it.
    public func key(id: String) -> TokenKey? {
        if id == current.id { return current }
        if let previous, id == previous.id { return previous }
        return nil
    }
}
