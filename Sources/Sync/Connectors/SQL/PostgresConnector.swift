import Foundation
import Storage

/// Reads a table or a query of a PostgreSQL database, in a read-only transaction.
///
/// The `postgres://` URL comes from the environment variable the options name, at each sync; libpq
/// reads every parameter in it, `sslmode` and `sslrootcert` included. Every read runs inside
/// `SET TRANSACTION READ ONLY` with a statement timeout and a lock timeout, so neither a crafted
/// query nor a locked table can change the source or hold a sync forever. Errors never carry the
/// URL or its password.
public struct PostgresConnector: Connector {
    /// How long one read may run before the server cancels it: the whole streamed result counts.
    static let readTimeout: Duration = .seconds(3600)
    /// How long a connection check may run.
    static let checkTimeout: Duration = .seconds(30)
    /// How long a statement waits for a lock someone else holds on the selection's tables.
    static let lockTimeout: Duration = .seconds(30)

    /// Where the database is and what to read.
    public let options: PostgresSourceOptions

    /// Creates a connector for `options`.
    public init(options: PostgresSourceOptions) {
        self.options = options
    }

    /// Connects and reads at most one record of the selection.
    ///
    /// Returns what the source selects and how many columns it has, such as
    /// `PostgreSQL: table orders, 12 columns`.
    public func checkConnection(context: ConnectorContext) throws(SyncError) -> String {
        let statements = try SQLSourceStatements(selection: options.selection, field: "postgres.query")
        let columns = try withReadOnlyTransaction(context, timeout: Self.checkTimeout) {
            (connection, describe) throws(SyncError) in
            do throws(DatabaseError) {
                let row = try connection.queryOne(statements.probe)
                return row?.count ?? 0
            } catch {
                throw describe(error)
            }
        }
        return "PostgreSQL: \(statements.summary), \(columns == 1 ? "1 column" : "\(columns) columns")"
    }

    /// Streams the selection in batches; see ``SQLRecordStream`` for full and incremental reads.
    public func read(
        from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        let statements = try SQLSourceStatements(selection: options.selection, field: "postgres.query")
        try withReadOnlyTransaction(context, timeout: Self.readTimeout) { (connection, describe) throws(SyncError) in
            let stream = SQLRecordStream(statements: statements, describe: describe)
            try stream.read(on: connection, from: checkpoint, context: context, deliver: deliver)
        }
    }

    /// Connects with the URL from the environment and runs `body` in a read-only transaction.
    ///
    /// `body` also receives the function that turns database errors into sync errors without
    /// secrets.
    private func withReadOnlyTransaction<T>(
        _ context: ConnectorContext, timeout: Duration,
        _ body: (any DatabaseConnection, @escaping (DatabaseError) -> SyncError) throws(SyncError) -> T
    ) throws(SyncError) -> T {
        let url = try context.secrets.value(of: options.urlVariable)
        let describe = { (error: DatabaseError) in Self.describe(error, url: url, secrets: context.secrets) }
        let location: DatabaseLocation
        do { location = try DatabaseLocation(url: url) } catch { throw describe(error) }
        guard case .postgres = location else {
            throw SyncError(.configuration, "\(options.urlVariable) must hold a postgres:// URL.")
        }
        let database: PostgresDatabase
        do {
            database = try PostgresDatabase(url: url, maxConnections: 1, logger: context.logger)
        } catch {
            throw describe(error)
        }
        defer { database.close() }

        let settings = """
            SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = \(Self.milliseconds(timeout));
            SET LOCAL lock_timeout = \(Self.milliseconds(Self.lockTimeout));
            """
        do {
            return try database.transaction { connection in
                try connection.executeScript(settings)
                return try body(connection, describe)
            }
        } catch {
            throw SQLRecordStream.syncError(from: error, describe: describe)
        }
    }

    /// A database error as a sync error, without the URL, its password or any other secret read.
    ///
    /// Connection failures and cancelled statements (a timeout) are `connection` errors; anything
    /// else the server refused (a missing table, a bad query) is a `configuration` error.
    static func describe(_ error: DatabaseError, url: String, secrets: SecretResolver) -> SyncError {
        // The description adds the SQLSTATE and the statement; a connection error's message already
        // says it comes from PostgreSQL.
        let detail = error.code == nil ? error.message : error.description
        var message = error.kind == .connection ? detail : "PostgreSQL: \(detail)"
        if let components = URLComponents(string: url) {
            for password in [components.password, components.percentEncodedPassword].compactMap({ $0 })
            where password.count >= 4 {
                message = message.replacingOccurrences(of: password, with: "***")
            }
        }
        message = secrets.redact(message)
        let isConnection = error.isConnectionError || error.code == "57014"
        return SyncError(isConnection ? .connection : .configuration, message)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
