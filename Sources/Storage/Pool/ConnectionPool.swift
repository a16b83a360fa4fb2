import Core
import Foundation

/// A connection the pool can lend: it reports whether it may be lent again.
protocol PooledConnection: AnyObject {
    /// A cheap check before lending an idle connection; false closes it and opens another.
    func isUsable() -> Bool

    /// Brings the connection back to a clean state after a borrower; false closes it.
    func resetForReuse() -> Bool
}

/// How a pool is sized and when it gives up or retires connections.
struct PoolConfiguration: Sendable {
    /// The most connections open at once.
    var capacity: Int
    /// How long a checkout waits for a free connection before failing.
    var acquireTimeout: Duration
    /// The age after which a connection is closed instead of being lent again.
    var maxLifetime: Duration?
}

/// A bounded pool of connections, each lent to one closure at a time.
///
/// Checkout takes an idle connection (checked with `isUsable()` and its age), opens a new one
/// while fewer than `capacity` are open, or waits on the condition until one is returned or the
/// acquire timeout passes. Connections open lazily; a broken or old one is closed and another
/// opened in its place, so a backend the server killed never reaches a borrower twice.
///
/// `@unchecked Sendable`: every mutable stored property is read and written only while
/// `condition` is locked. A connection (not `Sendable`) is touched by the pool only while idle
/// under that lock, and otherwise only by the one thread that borrowed it, until it is returned.
final class ConnectionPool<Connection: PooledConnection>: @unchecked Sendable {
    private struct Entry {
        let connection: Connection
        let openedAt: ContinuousClock.Instant
    }

    private let configuration: PoolConfiguration
    private let connect: @Sendable () throws(DatabaseError) -> Connection
    private let metrics: PoolMetrics?
    private let logger: Logger
    private let condition = NSCondition()
    private var idle: [Entry] = []
    private var open = 0
    private var inUse = 0
    private var waits = 0
    private var timeouts = 0
    private var discarded = 0
    private var isClosed = false

    /// Creates a pool; `first`, when given, is an already open connection to keep.
    init(
        configuration: PoolConfiguration,
        first: Connection?,
        metrics: PoolMetrics?,
        logger: Logger,
        connect: @escaping @Sendable () throws(DatabaseError) -> Connection
    ) {
        precondition(configuration.capacity > 0, "a pool needs room for one connection")
        self.configuration = configuration
        self.connect = connect
        self.metrics = metrics
        self.logger = logger
        if let first {
            idle.append(Entry(connection: first, openedAt: .now))
            open = 1
            metrics?.connections.add(1, ["idle"])
        }
    }

    /// Lends a connection to `body` and takes it back when `body` returns or throws.
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let entry = try checkout()
        defer { checkin(entry) }
        return try body(entry.connection)
    }

    /// The pool's current use.
    var statistics: PoolStatistics {
        condition.lock()
        defer { condition.unlock() }
        return PoolStatistics(
            inUse: inUse, idle: idle.count, waits: waits, timeouts: timeouts, discarded: discarded
        )
    }

    /// Closes the idle connections; borrowed ones close when returned, and checkouts then fail.
    func close() {
        condition.lock()
        isClosed = true
        let closing = idle
        idle.removeAll()
        open -= closing.count
        metrics?.connections.add(-Double(closing.count), ["idle"])
        condition.broadcast()
        condition.unlock()
        logger.debug("closed pooled connections", ["count": String(closing.count)])
    }

    private func checkout() throws(DatabaseError) -> Entry {
        let deadline = Date().addingTimeInterval(configuration.acquireTimeout.seconds)
        var hasWaited = false
        condition.lock()
        while true {
            if isClosed {
                condition.unlock()
                throw DatabaseError(.closed, message: "the database is closed")
            }
            if let entry = idle.popLast() {
                lend(fromIdle: true)
                condition.unlock()
                if isFresh(entry) && entry.connection.isUsable() { return entry }
                logger.debug("replacing a broken or expired connection")
                condition.withLock { discarded += 1 }
                return try openReserved()
            }
            if open < configuration.capacity {
                open += 1
                lend(fromIdle: false)
                condition.unlock()
                return try openReserved()
            }
            if !hasWaited {
                hasWaited = true
                waits += 1
                metrics?.waits.increment()
            }
            if !condition.wait(until: deadline), idle.isEmpty, open >= configuration.capacity {
                timeouts += 1
                metrics?.timeouts.increment()
                condition.unlock()
                let seconds = configuration.acquireTimeout.seconds
                logger.warning(
                    "no database connection became free in time",
                    [
                        "capacity": String(configuration.capacity), "timeout_seconds": String(seconds),
                    ])
                throw DatabaseError(
                    .poolTimeout,
                    message: "all \(configuration.capacity) database connections stayed busy for "
                        + "\(seconds) s; raise the pool size or shorten the work done per "
                        + "connection"
                )
            }
        }
    }

    /// Counts one more borrower; the caller holds the lock.
    private func lend(fromIdle: Bool) {
        inUse += 1
        if fromIdle { metrics?.connections.add(-1, ["idle"]) }
        metrics?.connections.add(1, ["in_use"])
    }

    /// Opens a connection in a slot already counted as open and in use, freeing it on failure.
    private func openReserved() throws(DatabaseError) -> Entry {
        do {
            return Entry(connection: try connect(), openedAt: .now)
        } catch {
            condition.lock()
            open -= 1
            inUse -= 1
            metrics?.connections.add(-1, ["in_use"])
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkin(_ entry: Entry) {
        let keep = entry.connection.resetForReuse() && isFresh(entry)
        condition.lock()
        inUse -= 1
        metrics?.connections.add(-1, ["in_use"])
        if keep && !isClosed {
            idle.append(entry)
            metrics?.connections.add(1, ["idle"])
        } else {
            open -= 1
            if !keep { discarded += 1 }
        }
        condition.signal()
        condition.unlock()
    }

    private func isFresh(_ entry: Entry) -> Bool {
        guard let maxLifetime = configuration.maxLifetime else { return true }
        return ContinuousClock.now - entry.openedAt < maxLifetime
    }
}

/// The pool series a database registers: connections by state, waits and timeouts.
///
/// Pools change the gauge by differences, so several pools of one database (SQLite's writer and
/// readers) add up in the same series.
struct PoolMetrics: Sendable {
    let connections: Gauge
    let waits: Counter
    let timeouts: Counter

    init(registry: MetricsRegistry) {
        connections = registry.gauge(
            "syncline_db_pool_connections",
            help: "Database connections by state.",
            labels: ["state"]
        )
        connections.set(0, ["in_use"])
        connections.set(0, ["idle"])
        waits = registry.counter(
            "syncline_db_pool_waits_total",
            help: "Database connection checkouts that had to wait for a free connection."
        )
        timeouts = registry.counter(
            "syncline_db_pool_timeouts_total",
            help: "Database connection checkouts that gave up after the acquire timeout."
        )
    }
}
