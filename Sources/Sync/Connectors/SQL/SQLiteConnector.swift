import Foundation
import Storage

/// Reads a table or a query of an SQLite file under the import directory, never changing it.
///
/// The file is opened read-only with `query_only` set (see
/// ``SQLiteDatabase/withReadOnlyConnection(toFileAt:busyTimeout:_:)``): it is never created,
/// its journal mode is left as it is, and any statement that would write fails.
public struct SQLiteConnector: Connector {
    /// Where the file is and what to read.
    public let options: SQLiteSourceOptions

    /// Creates a connector for `options`.
    public init(options: SQLiteSourceOptions) {
        self.options = options
    }

    /// Opens the file and reads at most one record of the selection.
    ///
    /// Returns the file, what it selects and how many columns that has, such as
    /// `SQLite shop.db: table orders, 12 columns`.
    public func checkConnection(context: ConnectorContext) throws(SyncError) -> String {
        let statements = try SQLSourceStatements(selection: options.selection, field: "sqlite.query")
        let columns = try withReadOnlyConnection(context) { (connection, describe) throws(SyncError) in
            do throws(DatabaseError) {
                let row = try connection.queryOne(statements.probe)
                return row?.count ?? 0
            } catch {
                throw describe(error)
            }
        }
        let count = columns == 1 ? "1 column" : "\(columns) columns"
        return "SQLite \(options.path): \(statements.summary), \(count)"
    }

    /// Streams the selection in batches; see ``SQLRecordStream`` for full and incremental reads.
    public func read(
        from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        let statements = try SQLSourceStatements(selection: options.selection, field: "sqlite.query")
        try withReadOnlyConnection(context) { (connection, describe) throws(SyncError) in
            let stream = SQLRecordStream(statements: statements, describe: describe)
            try stream.read(on: connection, from: checkpoint, context: context, deliver: deliver)
        }
    }

    /// Resolves the file inside the import directory and runs `body` with a read-only connection.
    ///
    /// `body` also receives the function that turns database errors into sync errors.
    private func withReadOnlyConnection<T>(
        _ context: ConnectorContext,
        _ body: (any DatabaseConnection, @escaping (DatabaseError) -> SyncError) throws(SyncError) -> T
    ) throws(SyncError) -> T {
        let path = try context.importDirectory.resolve(options.path)
        // Opening it first refuses a missing file, a directory or a FIFO with a clear message.
        _ = try ReadOnlyFile(path: path, name: options.path)
        let describe = { (error: DatabaseError) in
            // The description adds the result code and the statement; a connection error's message
            // already names SQLite and the file, by its absolute path.
            let detail = error.code == nil ? error.message : error.description
            let text = error.kind == .connection ? detail : "SQLite: \(detail)"
            let message = text.replacingOccurrences(of: path, with: options.path)
            return SyncError(error.kind == .connection ? .connection : .configuration, message)
        }
        do {
            return try SQLiteDatabase.withReadOnlyConnection(toFileAt: path) { connection in
                try body(connection, describe)
            }
        } catch {
            throw SQLRecordStream.syncError(from: error, describe: describe)
        }
    }
}
