import Foundation

/// An error from the storage layer: the database's own report, or a misuse caught before it.
///
/// The description carries the database's result code name (`SQLITE_CONSTRAINT_UNIQUE`) or
/// SQLSTATE (`23505`), its primary message and the SQL text, but never a bound value: PostgreSQL's
/// detail field (which quotes key values) is not kept, and any bound text that a message echoes
/// is replaced by `…` (see ``redactingParameters(_:)``).
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in the categories callers act on.
    public enum Kind: Sendable, Hashable {
        /// SQLite reported an error; ``DatabaseError/code`` names the extended result code.
        case sqlite
        /// PostgreSQL reported an error; ``DatabaseError/code`` holds the SQLSTATE.
        case postgres
        /// The connection could not be opened or was lost.
        case connection
        /// No pooled connection became free before the acquire timeout.
        case poolTimeout
        /// The database was closed.
        case closed
        /// A column held a value of another type than the getter asked for, or NULL.
        case typeMismatch
        /// A row has no column of the requested name or index.
        case columnNotFound
        /// The statement or its parameters were malformed before reaching the database.
        case misuse
        /// A database URL could not be understood.
        case invalidURL
    }

    /// The category of the error.
    public let kind: Kind
    /// The SQLite result code name or the PostgreSQL SQLSTATE, when the database reported one.
    public let code: String?
    /// The database's message, or Syncline's own for errors caught before the database.
    public let message: String
    /// The constraint a PostgreSQL integrity error names.
    public let constraint: String?
    /// The statement that failed; it holds placeholders, never values.
    public let sql: String?

    /// Creates an error; messages must not contain bound values.
    public init(
        _ kind: Kind,
        code: String? = nil,
        message: String,
        constraint: String? = nil,
        sql: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.constraint = constraint
        self.sql = sql
    }

    /// The error as one log-safe line.
    public var description: String {
        var text = code.map { "\($0): " } ?? "\(kind): "
        text += message
        if let constraint { text += " (constraint \(constraint))" }
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }

    /// A UNIQUE or PRIMARY KEY constraint rejected a row.
    public var isUniqueViolation: Bool {
        code == "SQLITE_CONSTRAINT_UNIQUE" || code == "SQLITE_CONSTRAINT_PRIMARYKEY"
            || code == "23505"
    }

    /// A FOREIGN KEY constraint rejected a change.
    public var isForeignKeyViolation: Bool {
        code == "SQLITE_CONSTRAINT_FOREIGNKEY" || code == "23503"
    }

    /// A NOT NULL constraint rejected a row.
    public var isNotNullViolation: Bool {
        code == "SQLITE_CONSTRAINT_NOTNULL" || code == "23502"
    }

    /// A CHECK constraint rejected a row.
    public var isCheckViolation: Bool {
        code == "SQLITE_CONSTRAINT_CHECK" || code == "23514"
    }

    /// The database gave up because of concurrent work; retrying the transaction may succeed.
    public var isTransient: Bool {
        guard let code else { return kind == .poolTimeout }
        return code.hasPrefix("SQLITE_BUSY") || code.hasPrefix("SQLITE_LOCKED")
            || code == "40001" || code == "40P01"
    }

    /// The connection is unusable: it failed to open, was lost, or was terminated by the server.
    public var isConnectionError: Bool {
        kind == .connection || code?.hasPrefix("08") == true || code == "57P01" || code == "57P02"
            || code == "57P03"
    }

    /// A copy whose message has every bound text of three or more characters replaced by `…`.
    ///
    /// PostgreSQL quotes rejected input in some primary messages (`invalid input syntax for type
    /// integer: "…"`). Values shorter than three characters are left alone: they cannot carry a
    /// secret, and replacing them would garble ordinary words of the message.
    func redactingParameters(_ parameters: [DatabaseValue]) -> DatabaseError {
        var redacted = message
        for parameter in parameters {
            let text: String
            switch parameter {
            case .text(let value): text = value
            case .integer(let value): text = String(value)
            case .real(let value): text = String(value)
            case .null, .blob, .bool, .timestamp: continue
            }
            if text.count >= 3 { redacted = redacted.replacingOccurrences(of: text, with: "…") }
        }
        guard redacted != message else { return self }
        return DatabaseError(kind, code: code, message: redacted, constraint: constraint, sql: sql)
    }
}
