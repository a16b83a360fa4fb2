import Synchronization

/// Whether a rate limiter let a request through.
public enum RateDecision: Sendable, Equatable {
    /// Allowed; one token was taken.
    case allowed
    /// Refused; a token will be available in `retryAfter` whole seconds (at least 1), the value
    /// for a `Retry-After` header.
    case limited(retryAfter: Int)
}

/// Token buckets keyed by string (an IP address, a username), each holding up to `capacity`
/// tokens and refilling continuously at `refillPerSecond`.
///
/// Memory stays bounded: a bucket that has refilled completely behaves exactly like a missing one,
/// so such buckets are swept away once per full-refill interval; and when `maximumKeys` buckets
/// exist anyway, the fullest tenth is dropped, losing only the least restrictive state. Time is
/// passed in, from a monotonic clock, so tests can move it.
public final class TokenBucketLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var lastSweep: ContinuousClock.Instant?
    }

    /// The most tokens a bucket holds: the burst allowed after a quiet period.
    public let capacity: Double
    /// Tokens added to each bucket per second.
    public let refillPerSecond: Double
    /// The most buckets kept at once.
    public let maximumKeys: Int

    private let state = Mutex(State())

    /// Creates a limiter; `capacity` and `maximumKeys` must be at least 1, `refillPerSecond` above 0.
    public init(capacity: Int, refillPerSecond: Double, maximumKeys: Int = 100_000) {
        precondition(capacity >= 1, "a bucket must hold a token")
        precondition(refillPerSecond > 0, "buckets must refill")
        precondition(maximumKeys >= 1, "the limiter must keep a bucket")
        self.capacity = Double(capacity)
        self.refillPerSecond = refillPerSecond
        self.maximumKeys = maximumKeys
    }

    /// Takes a token from `key`'s bucket if it has one.
    public func take(key: String, now: ContinuousClock.Instant = .now) -> RateDecision {
        state.withLock { state in
            sweepIfDue(&state, now: now)
            var bucket = state.buckets[key].map { refilled($0, now: now) } ?? Bucket(tokens: capacity, updated: now)
            let decision: RateDecision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                let wait = ((1 - bucket.tokens) / refillPerSecond).rounded(.up)
                decision = .limited(retryAfter: Int(min(max(1, wait), Double(Int32.max))))
            }
            if state.buckets[key] == nil && state.buckets.count >= maximumKeys {
                makeRoom(&state, now: now)
            }
            state.buckets[key] = bucket
            return decision
        }
    }

    /// The number of buckets currently kept.
    public var keyCount: Int {
        state.withLock { $0.buckets.count }
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let elapsed = max(0, seconds(now - bucket.updated))
        return Bucket(
            tokens: min(capacity, bucket.tokens + elapsed * refillPerSecond), updated: max(bucket.updated, now))
    }

    /// Drops full buckets once per interval in which an empty one refills.
    private func sweepIfDue(_ state: inout State, now: ContinuousClock.Instant) {
        let interval = max(1, capacity / refillPerSecond)
        if let last = state.lastSweep, seconds(now - last) < interval { return }
        state.lastSweep = now
        state.buckets = state.buckets.filter { refilled($0.value, now: now).tokens < capacity }
    }

    /// Drops full buckets and, if that frees too little, the fullest tenth of the rest.
    private func makeRoom(_ state: inout State, now: ContinuousClock.Instant) {
        state.lastSweep = now
        state.buckets = state.buckets.filter { refilled($0.value, now: now).tokens < capacity }
        guard state.buckets.count >= maximumKeys else { return }
        let keep = maximumKeys - max(1, maximumKeys / 10)
        let emptiest = state.buckets.sorted {
            refilled($0.value, now: now).tokens < refilled($1.value, now: now).tokens
        }
        state.buckets = Dictionary(uniqueKeysWithValues: emptiest.prefix(keep).map { ($0.key, $0.value) })
    }

    private func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
