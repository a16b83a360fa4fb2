import CArgon2
import Core

/// A failure reported by libargon2 while hashing, such as parameters it refuses.
public struct PasswordHashingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libargon2's result code (an `ARGON2_*` constant of `argon2_error_codes`).
    public let code: Int32

    /// libargon2's own text for the code.
    public var description: String {
        "argon2: " + String(cString: argon2_error_message(code))
    }
}

/// Hashes and verifies passwords with Argon2id through libargon2, storing PHC strings.
///
/// A password is hashed as its whole UTF-8 encoding, never trimmed or truncated. Hashing is slow
/// on purpose; request handlers reach this type through ``PasswordHashingPool``.
public struct PasswordHasher: Sendable {
    /// The parameters new hashes are made with.
    public let parameters: Argon2Parameters

    /// A hash of random bytes under `parameters`, verified against when the user does not exist.
    private let dummyHash: String

    /// The most memory a stored hash may ask for before ``verify(password:against:)`` refuses it
    /// unread, so an edited row cannot make one login allocate gigabytes.
    public static let maximumVerifiedMemoryKiB: UInt32 = 1 << 20

    /// Creates a hasher; it hashes once here to prepare ``dummyVerify(password:)``, and throws
    /// when libargon2 refuses the parameters.
    public init(parameters: Argon2Parameters = .owasp) throws(PasswordHashingError) {
        self.parameters = parameters
        self.dummyHash = try Self.hash(bytes: Crypto.randomBytes(32), parameters: parameters)
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$tag`) for `password` with a fresh random salt.
    public func hash(password: String) throws(PasswordHashingError) -> String {
        try Self.hash(bytes: Array(password.utf8), parameters: parameters)
    }

    /// Whether `password` matches the stored PHC string; malformed or foreign strings give false.
    ///
    /// Only Argon2id version 19 strings are read, and only when their memory cost is at most
    /// ``maximumVerifiedMemoryKiB``. libargon2 compares the tags in constant time.
    public func verify(password: String, against phc: String) -> Bool {
        guard let stored = Argon2Parameters(phc: phc), stored.memoryKiB <= Self.maximumVerifiedMemoryKiB else {
            return false
        }
        return Self.verify(bytes: Array(password.utf8), against: phc)
    }

    /// Whether a stored PHC string was made with other parameters than the current ones (or cannot
    /// be read), so it should be replaced after the next successful sign-in.
    public func needsRehash(_ phc: String) -> Bool {
        Argon2Parameters(phc: phc) != parameters
    }

    /// Spends the time of one real verification and discards the outcome.
    ///
    /// Used when the username is unknown, so the response time does not reveal whether a user
    /// exists: the work is the same Argon2id computation over a hash of the same parameters.
    public func dummyVerify(password: String) {
        _ = Self.verify(bytes: Array(password.utf8), against: dummyHash)
    }

    private static func hash(bytes: [UInt8], parameters: Argon2Parameters) throws(PasswordHashingError) -> String {
        guard parameters.saltLength > 0, parameters.tagLength > 0,
            let saltLength = UInt32(exactly: parameters.saltLength),
            let tagLength = UInt32(exactly: parameters.tagLength)
        else { throw PasswordHashingError(code: ARGON2_INCORRECT_PARAMETER.rawValue) }

        let salt = Crypto.randomBytes(parameters.saltLength)
        // argon2_encodedlen includes room for the terminating NUL (argon2.c adds one byte for it).
        let capacity = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism, saltLength, tagLength, Argon2_id)
        var encoded = [CChar](repeating: 0, count: capacity)
        let status = bytes.withUnsafeBytes { password in
            salt.withUnsafeBytes { salt in
                argon2id_hash_encoded(
                    parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                    password.baseAddress, password.count, salt.baseAddress, salt.count,
                    parameters.tagLength, &encoded, capacity)
            }
        }
        guard status == ARGON2_OK.rawValue else { throw PasswordHashingError(code: status) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func verify(bytes: [UInt8], against phc: String) -> Bool {
        bytes.withUnsafeBytes { password in
            argon2id_verify(phc, password.baseAddress, password.count) == ARGON2_OK.rawValue
        }
    }
}
