import Core

/// Limits how often admins may start syncs by hand: per source, and per admin.
///
/// ``SyncService`` holds the one instance, so a limit holds whichever way a sync is asked for: the
/// API or the pages.
public struct ManualSyncThrottle: Sendable {
    private let perSource: TokenBucketLimiter
    private let perUser: TokenBucketLimiter

    /// Allows `perSourcePerMinute` runs of one source and `perUserPerMinute` runs by one admin,
    /// each as a burst that refills over a minute.
    public init(perSourcePerMinute: Int = 2, perUserPerMinute: Int = 10) {
        perSource = TokenBucketLimiter(
            capacity: perSourcePerMinute, refillPerSecond: Double(perSourcePerMinute) / 60)
        perUser = TokenBucketLimiter(capacity: perUserPerMinute, refillPerSecond: Double(perUserPerMinute) / 60)
    }

    /// Takes a token for a run of `sourceID` by `user`: nil when the run may start, else the
    /// seconds after which to try again.
    public func retryAfter(sourceID: Int64, user: String) -> Int? {
        if case .limited(let seconds) = perSource.take(key: String(sourceID)) { return seconds }
        if case .limited(let seconds) = perUser.take(key: user) { return seconds }
        return nil
    }
}
