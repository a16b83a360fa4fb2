/// The SQL dialect a database speaks; migrations and hand-written SQL choose by it.
public enum SQLDialect: String, Sendable, Hashable {
    /// SQLite 3.
    case sqlite
    /// PostgreSQL.
    case postgres
}

/// A database Syncline keeps its data in: SQLite or PostgreSQL behind one interface.
///
/// Every method blocks the calling thread until a connection is free (up to the acquire
/// timeout) and while `body` runs. The connection is lent to `body` only: it must not escape,
/// and `body` should not call back into the same database: with every connection taken (the
/// SQLite writer is a single one), the inner call waits for the outer one until it times out.
public protocol Database: Sendable {
    /// The dialect of this database.
    var dialect: SQLDialect { get }

    /// Runs `body` with a connection for reading; each statement sees one consistent snapshot.
    @discardableResult
    func read<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T

    /// Runs `body` with a connection that may write, without an implicit transaction.
    @discardableResult
    func write<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    ///
    /// On SQLite the transaction starts with `BEGIN IMMEDIATE` on the single writer, so it never
    /// fails half-way for lack of the write lock.
    @discardableResult
    func transaction<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T

    /// How the connections are used right now.
    var poolStatistics: PoolStatistics { get }

    /// Closes idle connections now and the others when they are returned; later calls throw.
    func close()
}

/// A connection lent by a ``Database`` for the length of one closure.
///
/// Values are always bound, never spliced into the SQL. Placeholders are `$1`, `$2`, … in both
/// dialects; a placeholder may appear out of order or more than once. Statements are prepared
/// once per connection and cached by their SQL text, so repeated SQL is parsed once.
public protocol DatabaseConnection: AnyObject {
    /// The dialect of the connection.
    var dialect: SQLDialect { get }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> Int

    /// Runs one query and returns all of its rows.
    func query(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> [Row]

    /// Runs one query and returns its first row, or nil when it has none.
    func queryOne(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> Row?

    /// Runs one query and hands its rows to `body` one at a time as views over the driver's
    /// buffers, never holding the whole result and never decoding a value `body` does not read.
    ///
    /// SQLite steps the statement per row. PostgreSQL runs the query in libpq's single-row mode,
    /// which receives one row per result object; when `body` throws, the remaining rows are read
    /// and discarded before the error is rethrown, so the connection stays usable. `body` must
    /// not run statements on the same connection, which PostgreSQL cannot do mid-result.
    func query(_ sql: String, _ parameters: [DatabaseValue], eachView body: (RowView) throws -> Void) throws

    /// Runs a script of several statements separated by semicolons, without parameters.
    func executeScript(_ sql: String) throws(DatabaseError)

    /// Loads rows into `table` with PostgreSQL's `COPY … FROM STDIN`, which takes many rows for
    /// a fraction of what as many inserted values cost; returns the number of rows loaded.
    ///
    /// `table` and `columns` are quoted identifiers; `values` holds the rows one after another,
    /// `columns.count` values each. SQLite has no such command and refuses with a misuse error.
    @discardableResult
    func copy(into table: String, columns: [String], values: [DatabaseValue]) throws(DatabaseError) -> Int
}

extension DatabaseConnection {
    /// Runs one query and hands its rows to `body` one at a time, decoded, never holding the
    /// whole result; see ``query(_:_:eachView:)``.
    public func query(_ sql: String, _ parameters: [DatabaseValue], each body: (Row) throws -> Void) throws {
        try query(sql, parameters) { (view: RowView) in try body(view.row()) }
    }

    /// Runs one statement without parameters and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String) throws(DatabaseError) -> Int {
        try execute(sql, [])
    }

    /// Runs one query without parameters and returns all of its rows.
    public func query(_ sql: String) throws(DatabaseError) -> [Row] {
        try query(sql, [])
    }

    /// Runs one query without parameters and returns its first row.
    public func queryOne(_ sql: String) throws(DatabaseError) -> Row? {
        try queryOne(sql, [])
    }
}

/// A snapshot of a database's connection pool.
public struct PoolStatistics: Sendable, Hashable {
    /// Connections lent out right now.
    public var inUse: Int
    /// Open connections waiting to be lent.
    public var idle: Int
    /// Checkouts that had to wait for a connection since the database was opened.
    public var waits: Int
    /// Checkouts that gave up after the acquire timeout.
    public var timeouts: Int
    /// Connections closed because they were broken, left in a bad state, or too old.
    public var discarded: Int

    /// Creates a snapshot.
    public init(inUse: Int, idle: Int, waits: Int, timeouts: Int, discarded: Int) {
        self.inUse = inUse
        self.idle = idle
        self.waits = waits
        self.timeouts = timeouts
        self.discarded = discarded
    }

    static func + (lhs: PoolStatistics, rhs: PoolStatistics) -> PoolStatistics {
        PoolStatistics(
            inUse: lhs.inUse + rhs.inUse,
            idle: lhs.idle + rhs.idle,
            waits: lhs.waits + rhs.waits,
            timeouts: lhs.timeouts + rhs.timeouts,
            discarded: lhs.discarded + rhs.discarded
        )
    }
}

extension DatabaseConnection {
    /// Runs `body` between `begin` and `COMMIT`, rolling back when `body` or the commit throws.
    func inTransaction<T>(begin: String, _ body: (any DatabaseConnection) throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body(self)
            try execute("COMMIT")
            return result
        } catch {
            // The original error matters more than a failed rollback; a connection left inside
            // a transaction is rolled back or closed when it returns to its pool.
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}
