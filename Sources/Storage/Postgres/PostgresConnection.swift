import CPostgres
import Foundation

/// One libpq `PGconn` with its prepared-statement cache.
///
/// Not `Sendable`: libpq allows a connection on one thread at a time, and the pool lends it to
/// one borrower at a time. Statements are prepared with `PQprepare` under generated names and
/// run with `PQexecPrepared`; results come in text format and are decoded by column type.
final class PostgresConnection: DatabaseConnection, PooledConnection {
    /// The most statements kept prepared per connection.
    static let statementCacheCapacity = 128

    /// The settings every session gets, so timestamps and blobs come back in the forms the
    /// decoder reads whatever the server's defaults are.
    private static let sessionSettings = """
        SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET bytea_output TO 'hex';
        SET client_encoding TO 'UTF8';
        """

    private struct StatementKey: Hashable {
        let sql: String
        let types: [Oid]
    }

    private struct PreparedStatement {
        let name: String
        let parameterCount: Int
        var lastUse: UInt64
    }

    private let handle: OpaquePointer
    private var statements: [StatementKey: PreparedStatement] = [:]
    private var retiredStatementNames: [String] = []
    private var statementCounter = 0
    private var useCounter: UInt64 = 0
    /// Set when an error showed the session is gone; the pool then closes the connection.
    private var isBroken = false

    var dialect: SQLDialect { .postgres }

    /// Connects with `url`, a `postgres://` URI or a libpq key/value string.
    ///
    /// `connect_timeout` and `application_name` are given ahead of the URL, so a value in the URL
    /// wins. TLS settings (`sslmode`, `sslrootcert`, …) come from the URL as libpq reads them.
    init(url: String) throws(DatabaseError) {
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["10", "syncline", url]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { Self.connectionMessage($0) } ?? "libpq is out of memory"
            PQfinish(connection)
            throw DatabaseError(.connection, message: "cannot connect to PostgreSQL: \(message)")
        }
        // libpq prints notices (such as "relation already exists, skipping") to standard error
        // by default; Syncline's logs are structured, so they are dropped here.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.handle = connection
        try executeScript(Self.sessionSettings)
    }

    deinit {
        PQfinish(handle)
    }

    func execute(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> Int {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        // PQcmdTuples also counts the rows a SELECT, FETCH or COPY returned; only these commands
        // change rows.
        let command = String(cString: PQcmdStatus(result))
        let changing = ["INSERT", "UPDATE", "DELETE", "MERGE"]
        guard changing.contains(where: command.hasPrefix) else { return 0 }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func query(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> [Row] {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        let reader = ResultReader(result)
        return (0..<PQntuples(result)).map { reader.row($0) }
    }

    func queryOne(_ sql: String, _ parameters: [DatabaseValue]) throws(DatabaseError) -> Row? {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        guard PQntuples(result) > 0 else { return nil }
        return ResultReader(result).row(0)
    }

    func query(
        _ sql: String,
        _ parameters: [DatabaseValue],
        eachView body: (RowView) throws -> Void
    ) throws {
        let encoded = try PostgresParameters(parameters, sql: sql)
        let key = StatementKey(sql: sql, types: encoded.types)
        let name = try prepare(key)
        let sent = PQsendQueryPrepared(
            handle, name, encoded.count, encoded.values, encoded.lengths, encoded.formats, 0
        )
        guard sent == 1 else { throw connectionFailure(sql: sql) }
        // Should libpq refuse single-row mode, the rows arrive in one result instead, which the
        // loop below reads the same way; only the memory bound is lost.
        PQsetSingleRowMode(handle)

        // Every result up to the terminating nil is read even after a failure, so the
        // connection is idle again when this returns. In single-row mode each row is its own
        // result, and the final PGRES_TUPLES_OK one has no rows.
        var failure: (any Error)?
        var reader: ResultReader?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE, PGRES_TUPLES_OK:
                guard failure == nil, PQntuples(result) > 0 else { continue }
                let current = reader.map { $0.moved(to: result) } ?? ResultReader(result)
                reader = current
                do {
                    for index in 0..<PQntuples(result) {
                        try body(current.view(index))
                    }
                } catch {
                    failure = error
                }
            case PGRES_COMMAND_OK:
                continue
            default:
                if failure == nil {
                    failure = resultError(result, key: key, parameters: parameters)
                }
            }
        }
        if let failure { throw failure }
    }

    func executeScript(_ sql: String) throws(DatabaseError) {
        guard let result = PQexec(handle, sql) else { throw connectionFailure(sql: nil) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        let succeeded = [PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY].contains(status)
        guard succeeded else { throw resultError(result, key: nil, parameters: []) }
    }

    /// Rows are encoded and sent in pieces of ``copyChunk`` bytes, so the server parses and
    /// stores the first ones while the rest are still being encoded.
    func copy(into table: String, columns: [String], values: [DatabaseValue]) throws(DatabaseError) -> Int {
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        guard !columns.isEmpty, values.count % columns.count == 0 else {
            throw DatabaseError(
                .misuse, message: "\(values.count) values do not make rows of \(columns.count) columns", sql: sql)
        }
        guard let started = PQexec(handle, sql) else { throw connectionFailure(sql: sql) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            defer { PQclear(started) }
            throw resultError(started, key: nil, parameters: [])
        }
        PQclear(started)

        var data: [UInt8] = []
        data.reserveCapacity(Self.copyChunk + 4096)
        func send() throws(DatabaseError) {
            let sent = data.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32(buffer.count)) }
            }
            guard sent == 1 else { throw connectionFailure(sql: sql) }
            data.removeAll(keepingCapacity: true)
        }
        var refused: DatabaseError?
        do throws(DatabaseError) {
            for (index, value) in values.enumerated() {
                try PostgresParameters.appendCopyText(value, to: &data, sql: sql)
                data.append(index % columns.count == columns.count - 1 ? 0x0A : 0x09)
                if data.count >= Self.copyChunk { try send() }
            }
            if !data.isEmpty { try send() }
        } catch  where error.kind == .misuse {
            // A value that cannot be sent ends the load on the server as failed.
            refused = error
        }
        guard PQputCopyEnd(handle, refused.map { $0.message }) == 1 else { throw connectionFailure(sql: sql) }
        // The outcome arrives as results up to a nil one, all read so the session is idle again.
        var failure: DatabaseError?
        var loaded = 0
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                loaded = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = resultError(result, key: nil, parameters: [])
            }
        }
        if let failure = refused ?? failure { throw failure }
        return loaded
    }

    /// The bytes of `COPY` data encoded before they are sent.
    static let copyChunk = 64 * 1024

    /// False when the session is broken, or when its socket is readable while idle.
    ///
    /// An idle session is sent nothing unless the server is closing it (a backend ended by
    /// `pg_terminate_backend` sends its FATAL error and closes), so a readable socket is
    /// enough to replace it. `poll` with a zero timeout keeps the check to one system call.
    func isUsable() -> Bool {
        guard !isBroken, PQstatus(handle) == CONNECTION_OK else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 { return true }
            if ready < 0, errno == EINTR { continue }
            return false
        }
    }

    func resetForReuse() -> Bool {
        guard !isBroken, PQstatus(handle) == CONNECTION_OK else { return false }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE:
            break
        case PQTRANS_INTRANS, PQTRANS_INERROR:
            // A borrower left a transaction open; the next one must not inherit it.
            guard (try? executeScript("ROLLBACK")) != nil else { return false }
        default:
            return false
        }
        guard !retiredStatementNames.isEmpty else { return true }
        let script = retiredStatementNames.map { "DEALLOCATE \($0);" }.joined(separator: " ")
        retiredStatementNames.removeAll()
        return (try? executeScript(script)) != nil
    }

    /// Prepares (or finds prepared) the statement, executes it and returns its result.
    ///
    /// When a cached plan no longer fits the table (SQLSTATE 0A000, "cached plan must not change
    /// result type", after a column was added) outside a transaction, the statement is prepared
    /// again and run once more; inside a transaction the error stands, as the transaction is lost.
    private func run(
        _ sql: String,
        _ parameters: [DatabaseValue]
    ) throws(DatabaseError) -> OpaquePointer {
        let encoded = try PostgresParameters(parameters, sql: sql)
        let key = StatementKey(sql: sql, types: encoded.types)
        var attempts = 0
        while true {
            attempts += 1
            let name = try prepare(key)
            let result = PQexecPrepared(
                handle, name, encoded.count, encoded.values, encoded.lengths, encoded.formats, 0
            )
            guard let result else { throw connectionFailure(sql: sql) }
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return result }
            let error = resultError(result, key: key, parameters: parameters)
            PQclear(result)
            let canRetry = error.code == "0A000" && PQtransactionStatus(handle) == PQTRANS_IDLE
            if !canRetry || attempts > 1 { throw error }
        }
    }

    /// The generated name of the prepared statement for `key`, preparing it on first use.
    ///
    /// A new statement is also described once, so a wrong number of values is refused here as on
    /// SQLite, rather than by the server as a protocol violation.
    private func prepare(_ key: StatementKey) throws(DatabaseError) -> String {
        useCounter += 1
        let statement: PreparedStatement
        if let cached = statements[key] {
            statements[key]?.lastUse = useCounter
            statement = cached
        } else {
            statement = try prepareNew(key)
        }
        guard statement.parameterCount == key.types.count else {
            throw DatabaseError(
                .misuse,
                message: "the statement takes \(statement.parameterCount) values but "
                    + "\(key.types.count) were given",
                sql: key.sql
            )
        }
        return statement.name
    }

    private func prepareNew(_ key: StatementKey) throws(DatabaseError) -> PreparedStatement {
        statementCounter += 1
        let name = "syncline_\(statementCounter)"
        let prepared = PQprepare(handle, name, key.sql, Int32(key.types.count), key.types)
        guard let prepared else { throw connectionFailure(sql: key.sql) }
        defer { PQclear(prepared) }
        guard PQresultStatus(prepared) == PGRES_COMMAND_OK else {
            throw resultError(prepared, key: key, parameters: [])
        }
        guard let description = PQdescribePrepared(handle, name) else {
            throw connectionFailure(sql: key.sql)
        }
        defer { PQclear(description) }
        guard PQresultStatus(description) == PGRES_COMMAND_OK else {
            throw resultError(description, key: key, parameters: [])
        }

        if statements.count >= Self.statementCacheCapacity,
            let oldest = statements.min(by: {
                $0.value.lastUse < $1.value.lastUse
            })
        {
            statements[oldest.key] = nil
            retiredStatementNames.append(oldest.value.name)
        }
        let statement = PreparedStatement(
            name: name, parameterCount: Int(PQnparams(description)), lastUse: useCounter
        )
        statements[key] = statement
        return statement
    }

    /// The error a failed result describes; marks the connection broken when the session is
    /// gone, and forgets the statement when its plan is stale.
    private func resultError(
        _ result: OpaquePointer,
        key: StatementKey?,
        parameters: [DatabaseValue]
    ) -> DatabaseError {
        let sqlState = field(result, "C")
        let primary = field(result, "M") ?? Self.connectionMessage(handle)
        let error = DatabaseError(
            PQstatus(handle) == CONNECTION_OK ? .postgres : .connection,
            code: sqlState,
            message: primary,
            constraint: field(result, "n"),
            sql: key?.sql
        ).redactingParameters(parameters)
        // Class 57P is the server shutting the session down; the socket closes right after.
        if PQstatus(handle) != CONNECTION_OK || sqlState?.hasPrefix("57P") == true {
            isBroken = true
        }
        if let key, error.code == "0A000" || error.code == "26000", let stale = statements[key] {
            statements[key] = nil
            retiredStatementNames.append(stale.name)
        }
        return error
    }

    private func connectionFailure(sql: String?) -> DatabaseError {
        isBroken = true
        return DatabaseError(.connection, message: Self.connectionMessage(handle), sql: sql)
    }

    /// One diagnostic field of an error result; `code` is the field's letter in the
    /// protocol (the `PG_DIAG_*` macros, which Swift does not import as characters).
    private func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
    }

    private static func connectionMessage(_ connection: OpaquePointer) -> String {
        let message = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "the connection to PostgreSQL failed" : trimmed
    }
}

/// Decodes the rows of one `PGresult`, with the column names and decoders worked out once.
private struct ResultReader {
    let result: OpaquePointer
    let columns: ResultColumns
    let decoders: [PostgresColumnDecoder]

    init(_ result: OpaquePointer) {
        let count = PQnfields(result)
        var names: [String] = []
        var decoders: [PostgresColumnDecoder] = []
        for index in 0..<count {
            names.append(PQfname(result, index).map { String(cString: $0) } ?? "")
            decoders.append(PostgresColumnDecoder(type: PQftype(result, index)))
        }
        self.init(result: result, columns: ResultColumns(names: names), decoders: decoders)
    }

    private init(result: OpaquePointer, columns: ResultColumns, decoders: [PostgresColumnDecoder]) {
        self.result = result
        self.columns = columns
        self.decoders = decoders
    }

    /// The same columns over the next result of a single-row-mode query.
    func moved(to next: OpaquePointer) -> ResultReader {
        ResultReader(result: next, columns: columns, decoders: decoders)
    }

    func view(_ index: Int32) -> RowView {
        RowView(columns: columns, source: .postgres(result: result, row: index, decoders: decoders))
    }

    func row(_ index: Int32) -> Row {
        view(index).row()
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStringArray<T>(
    _ strings: [String],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T
) -> T {
    let copies = strings.map { strdup($0) }
    defer {
        for copy in copies { free(copy) }
    }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
