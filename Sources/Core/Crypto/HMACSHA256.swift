import COpenSSL

/// HMAC-SHA-256 under one key, for authenticating many messages in a row.
///
/// ``Crypto/hmacSHA256(key:_:)`` fetches the algorithm, allocates a context and hashes the padded
/// key for every message. This keeps one keyed OpenSSL context and starts each message from its
/// keyed state: `EVP_MAC_init` with a NULL key reuses the key already set (EVP_MAC(3)), which
/// leaves only the message's own blocks to hash. A message may arrive in several parts.
///
/// Not `Sendable`: the OpenSSL context holds the message in progress, so one thread uses it at a
/// time.
public final class HMACSHA256 {
    /// The length of a code in bytes.
    public static let byteCount = 32

    private let context: OpaquePointer

    /// A context keyed with `key`; traps if OpenSSL cannot make one, since nothing can be
    /// authenticated without it.
    public init(key: [UInt8]) {
        let context = key.withUnsafeBufferPointer { syncline_hmac_sha256_new($0.baseAddress, $0.count) }
        guard let context else { preconditionFailure("OpenSSL cannot set up HMAC-SHA-256") }
        self.context = context
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    /// Starts a new message, dropping any message in progress.
    public func start() {
        precondition(EVP_MAC_init(context, nil, 0, nil) == 1, "OpenSSL failed to restart HMAC-SHA-256")
    }

    /// Adds `bytes` to the message in progress.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        let status = EVP_MAC_update(context, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        precondition(status == 1, "OpenSSL failed to compute HMAC-SHA-256")
    }

    /// Ends the message in progress and writes its code into the first ``byteCount`` bytes of
    /// `code`.
    public func finish(into code: UnsafeMutableRawBufferPointer) {
        precondition(code.count >= Self.byteCount, "an HMAC-SHA-256 code takes 32 bytes")
        var length = 0
        let status = EVP_MAC_final(context, code.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, code.count)
        precondition(status == 1 && length == Self.byteCount, "OpenSSL failed to compute HMAC-SHA-256")
    }
}
