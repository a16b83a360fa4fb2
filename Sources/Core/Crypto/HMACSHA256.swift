import COpenSSL

/// HMAC-SHA-256 under one key, for authenticating many messages in a row.
///
/// ``Crypto/hmacSHA256(key:_:)`` fetches the algorithm, allocates a context and hashes the padded
/// key for every message. This keeps one keyed OpenSSL context and starts each message from its
/// keyed state: `EVP_MAC_init` with a NULL key reuses the key already set (EVP_MAC(3)), which
/// leaves only the message's own blocks to hash.
///
/// Not `Sendable`: the OpenSSL context holds the state of the message in progress, so one thread
/// uses it at a time.
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

    /// Writes the code of `message` into the first ``byteCount`` bytes of `code`.
    public func authenticate(_ message: UnsafeRawBufferPointer, into code: UnsafeMutableRawBufferPointer) {
        precondition(code.count >= Self.byteCount, "an HMAC-SHA-256 code takes 32 bytes")
        var length = 0
        let status =
            EVP_MAC_init(context, nil, 0, nil) == 1
            && EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
            && EVP_MAC_final(context, code.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, code.count) == 1
        precondition(status && length == Self.byteCount, "OpenSSL failed to compute HMAC-SHA-256")
    }
}
