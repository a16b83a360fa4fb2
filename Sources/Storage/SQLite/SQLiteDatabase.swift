import CSQLite
import Core
import Foundation

/// Syncline's embedded store: one SQLite file in WAL mode.
///
/// WAL lets readers run beside the one writer, so the database keeps a single writer connection
/// (every `write` and `transaction` takes it in turn) and a pool of read-only connections for
/// `read`. Each connection sets `busy_timeout`; the writer sets `journal_mode=WAL`,
/// `synchronous=NORMAL` (durable across application crashes, and across power loss up to the
/// last checkpoint), `foreign_keys=ON` and a 16 MiB page cache, and writes the WAL through
/// ``SQLiteWALBuffering``'s VFS.
public final class SQLiteDatabase: Database {
    /// The path of the database file.
    public let path: String
    private let writer: ConnectionPool<SQLiteConnection>
    private let readers: ConnectionPool<SQLiteConnection>
    private let checkpointer: SQLiteCheckpointer
    private let logger: Logger

    /// The dialect, always SQLite.
    public var dialect: SQLDialect { .sqlite }

    /// Opens or creates the database at `path`, creating its parent directory when missing.
    ///
    /// - Parameters:
    ///   - path: A file path, absolute or relative to the working directory.
    ///   - readers: How many read-only connections may be open at once.
    ///   - busyTimeout: How long to wait for SQLite's lock or for a free connection.
    ///   - logger: Receives connection lifecycle lines at debug level.
    ///   - metrics: When given, the pool series are registered on it.
    public convenience init(
        path: String,
        readers: Int = 4,
        busyTimeout: Duration = .seconds(5),
        logger: Logger,
        metrics: MetricsRegistry? = nil
    ) throws(DatabaseError) {
        try self.init(
            path: path, readers: readers, busyTimeout: busyTimeout, logger: logger, metrics: metrics,
            checkpointThreshold: SQLiteCheckpointer.defaultThreshold, walLimit: SQLiteCheckpointer.defaultLimit)
    }

    /// Opens the database as above with the checkpointer's threshold and limit, in pages, given.
    init(
        path: String,
        readers: Int = 4,
        busyTimeout: Duration = .seconds(5),
        logger: Logger,
        metrics: MetricsRegistry? = nil,
        checkpointThreshold: Int32,
        walLimit: Int32
    ) throws(DatabaseError) {
        precondition(readers > 0, "SQLite needs at least one reader connection")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true
            )
        } catch {
            throw DatabaseError(
                .connection,
                message: "cannot create the directory \(directory.path) for the SQLite database: "
                    + error.localizedDescription
            )
        }

        let logger = logger.with(["database": "sqlite"])
        let poolMetrics = metrics.map(PoolMetrics.init(registry:))
        self.path = path
        self.logger = logger
        let checkpointer = SQLiteCheckpointer(
            path: path, busyTimeout: busyTimeout, logger: logger, threshold: checkpointThreshold, limit: walLimit)
        self.checkpointer = checkpointer
        self.writer = ConnectionPool(
            configuration: PoolConfiguration(
                capacity: 1, acquireTimeout: busyTimeout, maxLifetime: nil
            ),
            first: try Self.openWriter(path: path, busyTimeout: busyTimeout, checkpointer: checkpointer),
            metrics: poolMetrics,
            logger: logger
        ) { () throws(DatabaseError) in
            try Self.openWriter(path: path, busyTimeout: busyTimeout, checkpointer: checkpointer)
        }
        self.readers = ConnectionPool(
            configuration: PoolConfiguration(
                capacity: readers, acquireTimeout: busyTimeout, maxLifetime: nil
            ),
            first: nil,
            metrics: poolMetrics,
            logger: logger
        ) { () throws(DatabaseError) in
            try Self.openReader(path: path, busyTimeout: busyTimeout)
        }
        logger.info("opened SQLite database", ["path": path, "readers": String(readers)])
    }

    /// The writer's page cache in KiB; readers keep SQLite's default of 2 MiB.
    static let writerCacheKiB = 16 * 1024

    /// Opens the writer through ``SQLiteWALBuffering``'s VFS, creating the file, sets the journal
    /// mode and pragmas, and leaves its checkpoints to `checkpointer`.
    ///
    /// Readers open after the writer has switched the file to WAL, which is persistent, so they
    /// need no pragma of their own.
    private static func openWriter(
        path: String,
        busyTimeout: Duration,
        checkpointer: SQLiteCheckpointer
    ) throws(DatabaseError) -> SQLiteConnection {
        let connection = try SQLiteConnection(
            path: path, readOnly: false, busyTimeout: busyTimeout, vfs: try SQLiteWALBuffering.vfsName())
        let mode = try connection.queryOne("PRAGMA journal_mode = WAL")?.string(0)
        guard mode?.lowercased() == "wal" else {
            throw DatabaseError(
                .connection,
                message: "SQLite refused WAL journal mode for \(path) (it reported "
                    + "\(mode ?? "nothing"))"
            )
        }
        try connection.executeScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        // The writer's own cache holds a batch's worth of pages: the pages a batch of upserts
        // looks up stay there for its writes, and do not spill to the WAL before the commit.
        try connection.executeScript("PRAGMA cache_size = -\(writerCacheKiB);")
        // A transaction larger than the checkpointer's limit grows the WAL past it; when the WAL
        // next starts over, SQLite cuts the file back to the limit.
        let pageSize = try connection.queryOne("PRAGMA page_size")?.int(0) ?? 4096
        let walBytes = Int64(checkpointer.limit) * (pageSize + 24) + 32
        try connection.executeScript("PRAGMA journal_size_limit = \(walBytes);")
        connection.checkpoint(in: checkpointer)
        return connection
    }

    /// Opens a read-only connection that reads the file through SQLite's page cache.
    ///
    /// Readers do not map the file (`mmap_size` stays 0): every commit of the writer made each
    /// mapping reader drop and fault its pages in again, which cost writes-heavy servers (every
    /// API request is audited) more than the mapping saved on reads, and every reader's mapping
    /// counted the whole file in the process's resident memory.
    private static func openReader(path: String, busyTimeout: Duration) throws(DatabaseError) -> SQLiteConnection {
        try SQLiteConnection(path: path, readOnly: true, busyTimeout: busyTimeout)
    }

    /// Runs `body` on a read-only connection from the reader pool.
    @discardableResult
    public func read<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try readers.withConnection(body)
    }

    /// Runs `body` on the single writer connection.
    @discardableResult
    public func write<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try writer.withConnection(body)
    }

    /// Runs `body` on the writer inside `BEGIN IMMEDIATE` … `COMMIT`.
    @discardableResult
    public func transaction<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try writer.withConnection { connection in
            try connection.inTransaction(begin: "BEGIN IMMEDIATE", body)
        }
    }

    /// The writer and the readers together.
    public var poolStatistics: PoolStatistics {
        writer.statistics + readers.statistics
    }

    /// Closes every connection once it is idle.
    public func close() {
        readers.close()
        writer.close()
        checkpointer.close()
        logger.info("closed SQLite database", ["path": path])
    }
}
