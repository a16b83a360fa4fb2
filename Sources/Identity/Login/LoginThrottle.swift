import Core
import Foundation
import Storage

/// Settings of the sign-in throttle.
public struct LoginThrottleConfiguration: Sendable, Hashable {
    /// Failures within `window` that lock a username or an address.
    public var maxFailures = 5
    /// How far back failures count.
    public var window: Duration = .seconds(15 * 60)
    /// The first lockout; each further one doubles it, up to `maxLockout`.
    public var lockout: Duration = .seconds(60)
    /// The longest lockout.
    public var maxLockout: Duration = .seconds(15 * 60)

    /// Creates the defaults: 5 failures in 15 minutes lock for 1 minute, doubling up to 15.
    public init() {}
}

/// Counts failed sign-ins per username and per client address and locks either one for a
/// growing time once it fails too often.
///
/// Counters live in the control database (`login_throttle`) so several instances share them.
/// A username is locked whether or not the user exists, so a lockout reveals nothing.
public struct LoginThrottle: Sendable {
    private let database: any Database
    private let configuration: LoginThrottleConfiguration

    /// Creates a throttle over the migrated control database.
    public init(database: any Database, configuration: LoginThrottleConfiguration) {
        self.database = database
        self.configuration = configuration
    }

    /// The counter keys of one attempt: its username and its client address.
    public static func keys(username: String, address: String) -> [String] {
        ["user:" + username, "ip:" + address]
    }

    /// Seconds until the longest lock among `keys` ends, or nil when none is locked.
    public func lockedFor(_ keys: [String], now: Date = Date()) throws -> Int? {
        let rows = try database.read { connection in
            try connection.query(
                "SELECT locked_until FROM login_throttle WHERE key IN ($1, $2) AND locked_until > $3",
                [.text(keys[0]), .text(keys[keys.count > 1 ? 1 : 0]), .timestamp(now)])
        }
        let until = try rows.compactMap { try $0.optionalDate("locked_until") }.max()
        return until.map { max(1, Int(($0.timeIntervalSince(now)).rounded(.up))) }
    }

    /// Counts a failure against every key; returns the seconds of a lock it started, if any.
    @discardableResult
    public func recordFailure(_ keys: [String], now: Date = Date()) throws -> Int? {
        try database.transaction { connection in
            var longest: Int?
            for key in keys {
                if let seconds = try recordFailure(key, now: now, connection) {
                    longest = max(longest ?? 0, seconds)
                }
            }
            return longest
        }
    }

    /// Clears the failures of `key` after a successful sign-in; the lockout history stays, so a
    /// locked-out attacker who guesses right once does not reset the doubling.
    public func recordSuccess(_ key: String) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE login_throttle SET failures = 0, locked_until = NULL WHERE key = $1", [.text(key)])
        }
    }

    private func recordFailure(_ key: String, now: Date, _ connection: any DatabaseConnection) throws -> Int? {
        let windowStart = now.addingTimeInterval(-configuration.window.seconds)
        let row = try connection.queryOne(
            "SELECT failures, window_started_at, lockouts FROM login_throttle WHERE key = $1", [.text(key)])
        var failures = 1
        var started = now
        var lockouts = 0
        if let row {
            lockouts = Int(try row.int("lockouts"))
            let previousStart = try row.date("window_started_at")
            if previousStart >= windowStart {
                failures = Int(try row.int("failures")) + 1
                started = previousStart
            }
        }

        var lockedUntil: Date?
        var lockSeconds: Int?
        if failures >= configuration.maxFailures {
            let doubled = configuration.lockout.seconds * pow(2, Double(min(lockouts, 30)))
            let seconds = min(doubled, configuration.maxLockout.seconds)
            lockedUntil = now.addingTimeInterval(seconds)
            lockSeconds = Int(seconds.rounded(.up))
            lockouts += 1
            failures = 0
            started = now
        }
        try connection.execute(
            """
            INSERT INTO login_throttle (key, failures, window_started_at, lockouts, locked_until)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                window_started_at = excluded.window_started_at, lockouts = excluded.lockouts,
                locked_until = COALESCE(excluded.locked_until, login_throttle.locked_until)
            """,
            [
                .text(key), .integer(Int64(failures)), .timestamp(started), .integer(Int64(lockouts)),
                lockedUntil.map(DatabaseValue.timestamp) ?? .null,
            ])
        return lockSeconds
    }
}
