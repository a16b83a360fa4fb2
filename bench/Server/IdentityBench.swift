import Core
import Foundation
import Identity
import Synchronization

/// bench/identity's references, measured in the bench process itself: raw Argon2id verifies per
/// second on as many threads as the sign-in hashing pool has, and the cost of one JWT check.
enum IdentityBench {
    static func run(seconds: Int) throws {
        let threads = PasswordHashingPool.Configuration.defaultThreadCount
        let hasher = try PasswordHasher()
        let phc = try hasher.hash(password: "correct horse battery staple")
        let verifies = Atomic<Int>(0)
        let deadline = ContinuousClock.now + .seconds(seconds)
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                while ContinuousClock.now < deadline {
                    _ = hasher.verify(password: "correct horse battery staple", against: phc)
                    verifies.add(1, ordering: .relaxed)
                }
                group.leave()
            }
        }
        group.wait()
        let perSecond = Double(verifies.load(ordering: .relaxed)) / Double(seconds)
        print(String(format: "argon2id_verifies_per_second %.2f threads %d", perSecond, threads))

        let keys = TokenKeys(current: Array(String(repeating: "s", count: 40).utf8))
        let issuer = TokenIssuer(keys: keys, issuer: "syncline", audience: "http://127.0.0.1")
        let verifier = TokenVerifier(keys: keys, issuer: "syncline", audience: "http://127.0.0.1")
        let token = issuer.issue(subject: "1", role: .viewer, now: Date()).token
        let signingInput = Array(token.utf8[..<token.utf8.lastIndex(of: UInt8(ascii: "."))!])
        let key = Array(String(repeating: "s", count: 40).utf8)
        let rounds = 20_000
        var verifyTimes: [Double] = []
        var issueTimes: [Double] = []
        var macTimes: [Double] = []
        for _ in 0..<5 {
            verifyTimes.append(microseconds(rounds) { _ = try? verifier.verify(token, now: Date()) })
            issueTimes.append(microseconds(rounds) { _ = issuer.issue(subject: "1", role: .viewer, now: Date()) })
            macTimes.append(microseconds(rounds) { _ = Crypto.hmacSHA256(key: key, signingInput) })
        }
        print(String(format: "jwt_verify_us %.2f", median(verifyTimes)))
        print(String(format: "jwt_issue_us %.2f", median(issueTimes)))
        print(String(format: "hmac_sha256_us %.2f", median(macTimes)))
    }

    /// The mean time of one call of `body`, in microseconds, over `count` calls.
    private static func microseconds(_ count: Int, _ body: () -> Void) -> Double {
        let started = ContinuousClock.now
        for _ in 0..<count { body() }
        return (ContinuousClock.now - started).seconds * 1e6 / Double(count)
    }

    private static func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
