import Core

/// Syncline's store for multi-instance deployments: PostgreSQL through a pool of libpq sessions.
///
/// The pool is bounded; a checkout waits up to `acquireTimeout` for a free session. An idle
/// session is checked before it is lent (see ``PostgresConnection/isUsable()``) and replaced when
/// the server has closed it, and a session is closed instead of reused once it is older than
/// `maxLifetime`, after a connection-level error, or when it comes back in a bad state.
public final class PostgresDatabase: Database {
    private let pool: ConnectionPool<PostgresConnection>
    private let logger: Logger

    /// The dialect, always PostgreSQL.
    public var dialect: SQLDialect { .postgres }

    /// Connects to the database `url` names and keeps the session for the pool.
    ///
    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database?sslmode=verify-full` (or
    ///     `postgresql://`); libpq reads every parameter, TLS settings included.
    ///   - maxConnections: The most sessions open at once.
    ///   - maxLifetime: The age after which a session is closed rather than lent again.
    ///   - acquireTimeout: How long a checkout waits for a free session before failing.
    ///   - logger: Receives pool lifecycle lines; never the URL's password.
    ///   - metrics: When given, the pool series are registered on it.
    public init(
        url: String,
        maxConnections: Int = 10,
        maxLifetime: Duration = .seconds(30 * 60),
        acquireTimeout: Duration = .seconds(5),
        logger: Logger,
        metrics: MetricsRegistry? = nil
    ) throws(DatabaseError) {
        precondition(maxConnections > 0, "the PostgreSQL pool needs at least one connection")
        let logger = logger.with(["database": "postgres"])
        let first = try PostgresConnection(url: url)
        self.logger = logger
        self.pool = ConnectionPool(
            configuration: PoolConfiguration(
                capacity: maxConnections, acquireTimeout: acquireTimeout, maxLifetime: maxLifetime
            ),
            first: first,
            metrics: metrics.map(PoolMetrics.init(registry:)),
            logger: logger
        ) { () throws(DatabaseError) in
            try PostgresConnection(url: url)
        }
        logger.info(
            "connected to PostgreSQL",
            [
                "url": DatabaseLocation.redacting(url), "max_connections": String(maxConnections),
            ])
    }

    /// Runs `body` with a pooled session.
    @discardableResult
    public func read<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try pool.withConnection(body)
    }

    /// Runs `body` with a pooled session.
    @discardableResult
    public func write<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try pool.withConnection(body)
    }

    /// Runs `body` inside `BEGIN` … `COMMIT` on a pooled session.
    @discardableResult
    public func transaction<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try pool.withConnection { connection in
            try connection.inTransaction(begin: "BEGIN", body)
        }
    }

    /// The pool's current use.
    public var poolStatistics: PoolStatistics {
        pool.statistics
    }

    /// Closes every session once it is idle.
    public func close() {
        pool.close()
        logger.info("closed PostgreSQL pool")
    }
}
