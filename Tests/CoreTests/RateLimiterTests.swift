import Foundation
import Testing

@testable import Core

@Suite("TokenBucketLimiter") struct RateLimiterTests {
    let start = ContinuousClock.now

    @Test func capacityIsAllowedThenLimitedWithRetryAfter() {
        let limiter = TokenBucketLimiter(capacity: 5, refillPerSecond: 0.1)
        for attempt in 0..<5 {
            #expect(limiter.take(key: "198.51.100.7", now: start) == .allowed, "attempt \(attempt)")
        }
        #expect(limiter.take(key: "198.51.100.7", now: start) == .limited(retryAfter: 10))
        #expect(limiter.take(key: "198.51.100.7", now: start + .seconds(4)) == .limited(retryAfter: 6))
        #expect(limiter.take(key: "198.51.100.7", now: start + .milliseconds(9_500)) == .limited(retryAfter: 1))
    }

    @Test func retryAfterIsAtLeastOneSecond() {
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 1_000)
        #expect(limiter.take(key: "k", now: start) == .allowed)
        #expect(limiter.take(key: "k", now: start) == .limited(retryAfter: 1))
    }

    @Test func bucketsRefillOverTime() {
        let limiter = TokenBucketLimiter(capacity: 2, refillPerSecond: 1)
        #expect(limiter.take(key: "k", now: start) == .allowed)
        #expect(limiter.take(key: "k", now: start) == .allowed)
        #expect(limiter.take(key: "k", now: start) == .limited(retryAfter: 1))
        #expect(limiter.take(key: "k", now: start + .milliseconds(1_000)) == .allowed)
        #expect(limiter.take(key: "k", now: start + .milliseconds(1_000)) == .limited(retryAfter: 1))

        // A long quiet period refills to capacity, never beyond it.
        let later = start + .seconds(3_600)
        #expect(limiter.take(key: "k", now: later) == .allowed)
        #expect(limiter.take(key: "k", now: later) == .allowed)
        #expect(limiter.take(key: "k", now: later) == .limited(retryAfter: 1))
    }

    @Test func timeGoingBackwardsAddsNoTokens() {
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 1)
        #expect(limiter.take(key: "k", now: start + .seconds(10)) == .allowed)
        #expect(limiter.take(key: "k", now: start) == .limited(retryAfter: 1))
        #expect(limiter.take(key: "k", now: start + .milliseconds(10_500)) == .limited(retryAfter: 1))
        #expect(limiter.take(key: "k", now: start + .seconds(11)) == .allowed)
    }

    @Test func retryAfterStaysRepresentableForTinyRefillRates() {
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 1e-300)
        #expect(limiter.take(key: "k", now: start) == .allowed)
        #expect(limiter.take(key: "k", now: start) == .limited(retryAfter: Int(Int32.max)))
    }

    @Test func refusedAttemptsTakeNothing() {
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 0.5)
        #expect(limiter.take(key: "k", now: start) == .allowed)
        for _ in 0..<10 {
            #expect(limiter.take(key: "k", now: start + .milliseconds(500)) == .limited(retryAfter: 2))
        }
        #expect(limiter.take(key: "k", now: start + .seconds(2)) == .allowed)
    }

    @Test func keysAreIndependent() {
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 0.01)
        #expect(limiter.take(key: "alice", now: start) == .allowed)
        #expect(limiter.take(key: "alice", now: start) != .allowed)
        #expect(limiter.take(key: "bob", now: start) == .allowed)
        #expect(limiter.take(key: "Alice", now: start) == .allowed)
    }

    @Test func idleFullBucketsArePruned() {
        let limiter = TokenBucketLimiter(capacity: 3, refillPerSecond: 1)
        for index in 0..<50 {
            _ = limiter.take(key: "key-\(index)", now: start)
        }
        #expect(limiter.keyCount == 50)
        _ = limiter.take(key: "late", now: start + .seconds(10))
        #expect(limiter.keyCount == 1)
    }

    @Test func keyCountStaysBoundedUnderAFloodOfKeys() {
        let limiter = TokenBucketLimiter(capacity: 5, refillPerSecond: 0.001, maximumKeys: 100)
        for _ in 0..<5 {
            _ = limiter.take(key: "attacked", now: start)
        }
        #expect(limiter.take(key: "attacked", now: start) == .limited(retryAfter: 1_000))
        for index in 0..<10_000 {
            _ = limiter.take(key: "flood-\(index)", now: start)
            #expect(limiter.keyCount <= 100)
        }
        // The emptiest bucket is the last to go, so the flood does not reset the limited key.
        #expect(limiter.take(key: "attacked", now: start) == .limited(retryAfter: 1_000))
    }

    @Test func concurrentTakesGiveOutExactlyTheCapacity() async {
        let limiter = TokenBucketLimiter(capacity: 100, refillPerSecond: 0.001)
        let now = start
        let allowed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<50).reduce(0) { count, _ in
                        limiter.take(key: "shared", now: now) == .allowed ? count + 1 : count
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(allowed == 100)
    }
}
