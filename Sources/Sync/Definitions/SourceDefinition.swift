import Foundation

/// The kinds of system a source reads from.
public enum SourceKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// JSON over HTTP(S).
    case rest
    /// A CSV file under the import directory.
    case csv
    /// A PostgreSQL table or read-only query.
    case postgres
    /// An SQLite database file under the import directory.
    case sqlite
}

/// How a sync brings the source's records into Syncline.
public enum SyncMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Reads everything into a staging table and swaps it in at once.
    case full
    /// Reads what changed since the last sync (by the cursor field) and upserts it.
    case incremental
}

/// Everything Syncline knows about a source: where it is, how to read it, and when.
///
/// Secrets never appear here: options name environment variables (`SYNCLINE_SOURCE_…`) whose
/// values are read when a sync runs.
public struct SourceDefinition: Sendable, Hashable, Encodable {
    /// A unique name people recognise, such as `orders`.
    public var name: String
    /// Where the records come from and how to reach them.
    public var connection: SourceConnection
    /// Full refresh or incremental.
    public var mode: SyncMode
    /// The fields whose values identify a record; empty when records have no identity, in which
    /// case each full refresh numbers them in order.
    public var primaryKey: [String]
    /// The field that orders changes, required for incremental syncs.
    public var cursor: CursorOptions?
    /// When syncs run by themselves; nil for manual runs only.
    public var schedule: SyncSchedule?
    /// Whether a full refresh keeps records that vanished from the source, marked as deleted,
    /// instead of dropping them.
    public var marksDeleted: Bool

    /// Creates a definition; ``SourceDefinition/problems`` says whether it is usable.
    public init(
        name: String, connection: SourceConnection, mode: SyncMode = .full, primaryKey: [String] = [],
        cursor: CursorOptions? = nil, schedule: SyncSchedule? = nil, marksDeleted: Bool = false
    ) {
        self.name = name
        self.connection = connection
        self.mode = mode
        self.primaryKey = primaryKey
        self.cursor = cursor
        self.schedule = schedule
        self.marksDeleted = marksDeleted
    }

    /// The kind of source.
    public var kind: SourceKind { connection.kind }

    private enum CodingKeys: String, CodingKey {
        case name, kind, mode, primaryKey, cursor, schedule, marksDeleted
        case rest, csv, postgres, sqlite
    }

    /// Encodes the definition in the same shape ``SourceDefinition/init(json:)`` reads.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(mode, forKey: .mode)
        try container.encode(primaryKey, forKey: .primaryKey)
        try container.encodeIfPresent(cursor, forKey: .cursor)
        try container.encodeIfPresent(schedule, forKey: .schedule)
        try container.encode(marksDeleted, forKey: .marksDeleted)
        switch connection {
        case .rest(let options): try container.encode(options, forKey: .rest)
        case .csv(let options): try container.encode(options, forKey: .csv)
        case .postgres(let options): try container.encode(options, forKey: .postgres)
        case .sqlite(let options): try container.encode(options, forKey: .sqlite)
        }
    }
}

/// Where a source's records come from, with the options of its kind.
public enum SourceConnection: Sendable, Hashable {
    /// JSON over HTTP(S).
    case rest(RESTOptions)
    /// A CSV file.
    case csv(CSVOptions)
    /// A PostgreSQL database.
    case postgres(PostgresSourceOptions)
    /// An SQLite database file.
    case sqlite(SQLiteSourceOptions)

    /// The kind of source this connects to.
    public var kind: SourceKind {
        switch self {
        case .rest: .rest
        case .csv: .csv
        case .postgres: .postgres
        case .sqlite: .sqlite
        }
    }
}

/// The field that orders a source's changes, for incremental syncs.
public struct CursorOptions: Sendable, Hashable, Encodable {
    /// The field (or column) holding a timestamp or a number that grows when a record changes.
    public var field: String
    /// How far before the last cursor value the next sync starts again, so that records updated
    /// while a sync ran, or sharing the last value, are read once more: seconds for timestamps,
    /// units for numbers.
    public var lookback: Double

    /// Creates cursor options.
    public init(field: String, lookback: Double = 0) {
        self.field = field
        self.lookback = lookback
    }
}

/// When a source syncs by itself.
public enum SyncSchedule: Sendable, Hashable, Encodable {
    /// Every so many seconds after the previous scheduled run was queued.
    case interval(seconds: Int)
    /// A five-field cron expression, in UTC.
    case cron(CronExpression)

    private enum CodingKeys: String, CodingKey {
        case everySeconds, cron
    }

    /// Encodes `{"everySeconds": N}` or `{"cron": "…"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .interval(let seconds): try container.encode(seconds, forKey: .everySeconds)
        case .cron(let expression): try container.encode(expression.text, forKey: .cron)
        }
    }

    /// The first time after `date` that the schedule calls for a run.
    public func nextRun(after date: Date) -> Date {
        switch self {
        case .interval(let seconds): date.addingTimeInterval(TimeInterval(seconds))
        case .cron(let expression): expression.nextMatch(after: date)
        }
    }
}

/// How a REST source is reached and paged through.
public struct RESTOptions: Sendable, Hashable, Encodable {
    /// The URL of the first page, `http` or `https`.
    public var url: String
    /// The dotted path of the records array inside each page's JSON body; empty when the body
    /// itself is the array.
    public var recordsPath: String
    /// How to get from one page to the next.
    public var pagination: RESTPagination
    /// How requests prove who they come from.
    public var auth: RESTAuth
    /// Extra request headers, which must not hold secrets (use ``auth`` for those).
    public var headers: [String: String]
    /// The query parameter that carries the incremental cursor value, for incremental syncs.
    public var cursorParameter: String?
    /// The most requests per second sent to the source; nil for no cap.
    public var requestsPerSecond: Double?
    /// How long one request may take, in seconds.
    public var timeoutSeconds: Double
    /// How often a failed request (5xx, 429, network error) is tried again before the sync fails.
    public var maxRetries: Int

    /// Creates REST options.
    public init(
        url: String, recordsPath: String = "", pagination: RESTPagination = .none, auth: RESTAuth = .none,
        headers: [String: String] = [:], cursorParameter: String? = nil, requestsPerSecond: Double? = nil,
        timeoutSeconds: Double = 30, maxRetries: Int = 5
    ) {
        self.url = url
        self.recordsPath = recordsPath
        self.pagination = pagination
        self.auth = auth
        self.headers = headers
        self.cursorParameter = cursorParameter
        self.requestsPerSecond = requestsPerSecond
        self.timeoutSeconds = timeoutSeconds
        self.maxRetries = maxRetries
    }
}

/// The pagination styles of REST sources.
public enum RESTPagination: Sendable, Hashable {
    /// One request returns every record.
    case none
    /// `?page=N` from `firstPage`, optionally with a page-size parameter; stops at a short or
    /// empty page.
    case pageNumber(parameter: String, firstPage: Int, sizeParameter: String?, size: Int?)
    /// `?offset=N&limit=M`; stops at a short or empty page.
    case offset(offsetParameter: String, limitParameter: String, limit: Int)
    /// A token found at `tokenPath` in each body, sent back as `parameter`; stops when absent.
    case cursor(parameter: String, tokenPath: String)
    /// The RFC 8288 `Link` header's `rel="next"` URL; stops when absent.
    case linkHeader
    /// The next page's URL found at `urlPath` in each body; stops when absent.
    case nextURL(urlPath: String)
}

/// How a REST source's requests are authenticated; secrets are named, never stored.
public enum RESTAuth: Sendable, Hashable {
    /// No credentials.
    case none
    /// `Authorization: Bearer <value of tokenVariable>`.
    case bearer(tokenVariable: String)
    /// A header such as `X-API-Key` carrying the value of `variable`.
    case apiKey(header: String, variable: String)
    /// `Authorization: Basic` with a plain username and the value of `passwordVariable`.
    case basic(username: String, passwordVariable: String)

    /// The environment variables the credentials are read from.
    public var secretVariables: [String] {
        switch self {
        case .none: []
        case .bearer(let variable): [variable]
        case .apiKey(_, let variable): [variable]
        case .basic(_, let variable): [variable]
        }
    }
}

/// How a CSV file is read.
public struct CSVOptions: Sendable, Hashable, Encodable {
    /// The file's path relative to the import directory; it may not leave it.
    public var path: String
    /// The byte that separates fields: `,` unless told otherwise (`;`, tab, `|`).
    public var delimiter: String
    /// Whether the first line names the columns; without one they are `column1`, `column2`, ….
    public var hasHeader: Bool

    /// Creates CSV options.
    public init(path: String, delimiter: String = ",", hasHeader: Bool = true) {
        self.path = path
        self.delimiter = delimiter
        self.hasHeader = hasHeader
    }
}

/// What to read from a SQL database: a table, or one read-only query.
public enum SQLSelection: Sendable, Hashable {
    /// Every row of a table (optionally `schema.table` on PostgreSQL).
    case table(String)
    /// A single `SELECT` statement, run in a read-only transaction.
    case query(String)
}

/// How a PostgreSQL source is reached.
public struct PostgresSourceOptions: Sendable, Hashable, Encodable {
    /// The environment variable holding the `postgres://` URL, which may carry a password.
    public var urlVariable: String
    /// The table or query to read.
    public var selection: SQLSelection

    /// Creates PostgreSQL source options.
    public init(urlVariable: String, selection: SQLSelection) {
        self.urlVariable = urlVariable
        self.selection = selection
    }
}

/// How an SQLite source is reached.
public struct SQLiteSourceOptions: Sendable, Hashable, Encodable {
    /// The database file's path relative to the import directory; it may not leave it.
    public var path: String
    /// The table or query to read.
    public var selection: SQLSelection

    /// Creates SQLite source options.
    public init(path: String, selection: SQLSelection) {
        self.path = path
        self.selection = selection
    }
}
