import CPostgres
import Core
import Foundation

/// Where the database lives, parsed from a URL such as `SYNCLINE_DATABASE_URL`.
///
/// `sqlite:PATH` names an SQLite file, relative to the working directory or absolute
/// (`sqlite:./var/syncline.db`, `sqlite:/var/lib/syncline/syncline.db`, or `sqlite:///abs/path`).
/// `postgres://…` and `postgresql://…` name a PostgreSQL database; libpq checks the rest.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL database URL, kept whole for libpq.
    case postgres(url: String)

    /// Parses a database URL; the error never repeats the URL, which may hold a password.
    public init(url: String) throws(DatabaseError) {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") {
                path.removeFirst(2)
                guard path.hasPrefix("/") else {
                    throw DatabaseError(
                        .invalidURL,
                        message: "an sqlite:// URL needs an absolute path (sqlite:///path); "
                            + "write sqlite:PATH for a relative one"
                    )
                }
            }
            guard !path.isEmpty else {
                throw DatabaseError(.invalidURL, message: "the sqlite: URL has no file path")
            }
            self = .sqlite(path: path)
            return
        }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            try Self.validatePostgres(trimmed)
            self = .postgres(url: trimmed)
            return
        }
        let scheme = trimmed.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        let named = trimmed.contains(":") && !scheme.isEmpty ? " \"\(scheme)\"" : ""
        throw DatabaseError(
            .invalidURL,
            message: "unsupported database URL scheme\(named); use sqlite:PATH or postgres://"
                + "user@host:port/database"
        )
    }

    /// The dialect of the database at this location.
    public var dialect: SQLDialect {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The location for logs, with any password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): Self.redacting(url)
        }
    }

    /// Opens the database with at most `connections` pooled connections: PostgreSQL sessions,
    /// or SQLite read-only connections beside its one writer.
    public func open(
        connections: Int = 10,
        logger: Logger,
        metrics: MetricsRegistry? = nil
    ) throws(DatabaseError) -> any Database {
        switch self {
        case .sqlite(let path):
            try SQLiteDatabase(path: path, readers: connections, logger: logger, metrics: metrics)
        case .postgres(let url):
            try PostgresDatabase(url: url, maxConnections: connections, logger: logger, metrics: metrics)
        }
    }

    /// Parses `url` and opens the database it names.
    public static func open(
        url: String,
        connections: Int = 10,
        logger: Logger,
        metrics: MetricsRegistry? = nil
    ) throws(DatabaseError) -> any Database {
        try DatabaseLocation(url: url).open(connections: connections, logger: logger, metrics: metrics)
    }

    /// `url` with the password of its user information replaced by `***`.
    static func redacting(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "postgres://(unparsable)" }
        if components.password != nil { components.password = "***" }
        components.query = components.query.map { query in
            query.split(separator: "&").map { pair in
                pair.hasPrefix("password=") ? "password=***" : String(pair)
            }.joined(separator: "&")
        }
        return components.string ?? "postgres://(unparsable)"
    }

    /// Lets libpq parse the URI, so malformed ones fail at start-up with its explanation.
    private static func validatePostgres(_ url: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &message) else {
            let reason =
                message.map { String(cString: $0) }?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "libpq is out of memory"
            PQfreemem(message)
            throw DatabaseError(
                .invalidURL, message: "invalid PostgreSQL URL: " + hidingQuotedValues(reason)
            )
        }
        PQconninfoFree(options)
    }

    /// Replaces each quoted part of a libpq message by `"…"` unless it is a parameter name:
    /// libpq quotes the offending piece of the URL, which may be the password.
    private static func hidingQuotedValues(_ message: String) -> String {
        let parts = message.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.enumerated().map { index, part in
            let isQuoted = index % 2 == 1 && index < parts.count - 1
            let isName = part.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_") }
            return isQuoted && !isName ? "…" : String(part)
        }.joined(separator: "\"")
    }
}
