import Core
import Foundation

extension SourceDefinition {
    /// The prefix every environment variable a source names must carry, so that a source can
    /// never read the session secret or the audit key.
    public static let secretVariablePrefix = "SYNCLINE_SOURCE_"

    /// Reads a definition from its JSON form, checking every field; the error's ``SyncError/fields``
    /// lists each problem under its dotted path.
    public init(json: JSONValue) throws(SyncError) {
        guard case .object(let members) = json else {
            throw SyncError(.invalidDefinition, "A source definition is a JSON object.")
        }
        let problems = DefinitionReader.ProblemList()
        var reader = DefinitionReader(members, problems: problems)
        let parsed = Self.read(&reader)
        reader.finish()
        guard problems.fields.isEmpty, let parsed else {
            throw SyncError(.invalidDefinition, "Some fields are invalid.", fields: problems.fields)
        }
        self = parsed
    }

    /// Reads a definition from JSON text, as the command line takes it from a file.
    public init(jsonText: [UInt8]) throws(SyncError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(jsonText))
        } catch {
            throw SyncError(.invalidDefinition, "The definition is not valid JSON.")
        }
        try self.init(json: value)
    }

    /// The definition as JSON text, in the form ``init(json:)`` reads.
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and booleans cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    private static func read(_ reader: inout DefinitionReader) -> SourceDefinition? {
        let name = reader.string("name", maxLength: 64)
        if let name, !isValidName(name) {
            reader.problem("name", "Use letters, digits, spaces, '.', '_' and '-', starting with a letter or digit.")
        }
        let kind = reader.choice("kind", as: SourceKind.self)
        let mode = reader.choice("mode", as: SyncMode.self, required: false) ?? .full
        let primaryKey = reader.strings("primaryKey")
        let marksDeleted = reader.bool("marksDeleted") ?? false
        var cursor: CursorOptions?
        if var cursorReader = reader.object("cursor", required: mode == .incremental) {
            let field = cursorReader.string("field")
            let lookback = cursorReader.number("lookback", required: false) ?? 0
            if lookback < 0 { cursorReader.problem("lookback", "Must not be negative.") }
            cursorReader.finish()
            cursor = field.map { CursorOptions(field: $0, lookback: lookback) }
        }
        if mode == .incremental && primaryKey.isEmpty {
            reader.problem("primaryKey", "An incremental source needs a primary key to upsert by.")
        }
        if marksDeleted && (mode != .full || primaryKey.isEmpty) {
            reader.problem("marksDeleted", "Only a full-refresh source with a primary key can mark deleted records.")
        }
        let schedule = readSchedule(&reader)

        var connection: SourceConnection?
        for other in SourceKind.allCases where other != kind && reader.contains(other.rawValue) {
            reader.problem(other.rawValue, "Only the options of the source's own kind may be given.")
        }
        switch kind {
        case .rest?:
            connection = reader.object("rest").flatMap {
                var options = $0
                return readREST(&options, mode: mode)
            }
            .map(SourceConnection.rest)
        case .csv?:
            connection = reader.object("csv").flatMap {
                var options = $0
                return readCSV(&options)
            }
            .map(SourceConnection.csv)
        case .postgres?:
            connection = reader.object("postgres").flatMap {
                var options = $0
                return readPostgres(&options)
            }
            .map(SourceConnection.postgres)
        case .sqlite?:
            connection = reader.object("sqlite").flatMap {
                var options = $0
                return readSQLite(&options)
            }
            .map(SourceConnection.sqlite)
        case nil:
            break
        }
        guard let name, let connection else { return nil }
        return SourceDefinition(
            name: name, connection: connection, mode: mode, primaryKey: primaryKey, cursor: cursor,
            schedule: schedule, marksDeleted: marksDeleted)
    }

    private static func readSchedule(_ reader: inout DefinitionReader) -> SyncSchedule? {
        guard var schedule = reader.object("schedule", required: false) else { return nil }
        defer { schedule.finish() }
        let seconds = schedule.integer("everySeconds", in: 1...31_536_000, required: false)
        let cron = schedule.string("cron", required: false, maxLength: 128)
        switch (seconds, cron) {
        case (let seconds?, nil):
            return .interval(seconds: seconds)
        case (nil, let text?):
            do {
                return .cron(try CronExpression(text))
            } catch {
                schedule.problem("cron", error.message)
                return nil
            }
        default:
            schedule.problem("everySeconds", "Give either everySeconds or cron.")
            return nil
        }
    }

    private static func readREST(_ reader: inout DefinitionReader, mode: SyncMode) -> RESTOptions? {
        defer { reader.finish() }
        let url = reader.string("url", maxLength: 2048)
        if let url, !isHTTPURL(url) {
            reader.problem("url", "Must be an http:// or https:// URL with a host.")
        }
        let recordsPath = reader.string("recordsPath", required: false, maxLength: 256, allowsEmpty: true) ?? ""
        let headers = reader.stringMap("headers")
        for name in headers.keys where !isHeaderName(name) || ["authorization", "cookie"].contains(name.lowercased()) {
            reader.problem("headers." + name, "Not a header that may be set here; credentials go in auth.")
        }
        let cursorParameter = reader.string("cursorParameter", required: mode == .incremental, maxLength: 128)
        let requestsPerSecond = reader.number("requestsPerSecond", required: false)
        if let requestsPerSecond, !(requestsPerSecond > 0 && requestsPerSecond <= 10_000) {
            reader.problem("requestsPerSecond", "Must be above 0 and at most 10000.")
        }
        let timeout = reader.number("timeoutSeconds", required: false) ?? 30
        if !(timeout >= 1 && timeout <= 600) { reader.problem("timeoutSeconds", "Must be from 1 to 600.") }
        let maxRetries = reader.integer("maxRetries", in: 0...20, required: false) ?? 5

        var pagination: RESTPagination? = RESTPagination.none
        if var paging = reader.object("pagination", required: false) {
            pagination = readPagination(&paging)
        }
        var auth: RESTAuth? = RESTAuth.none
        if var authReader = reader.object("auth", required: false) {
            auth = readAuth(&authReader)
        }
        guard let url, let pagination, let auth else { return nil }
        return RESTOptions(
            url: url, recordsPath: recordsPath, pagination: pagination, auth: auth, headers: headers,
            cursorParameter: cursorParameter, requestsPerSecond: requestsPerSecond, timeoutSeconds: timeout,
            maxRetries: maxRetries)
    }

    private static func readPagination(_ reader: inout DefinitionReader) -> RESTPagination? {
        defer { reader.finish() }
        let styles = ["none", "page", "offset", "cursor", "link", "nextUrl"]
        guard let style = reader.string("style", maxLength: 16) else { return nil }
        switch style {
        case "none":
            return RESTPagination.none
        case "page":
            let parameter = reader.string("parameter", required: false, maxLength: 128) ?? "page"
            let firstPage = reader.integer("firstPage", in: 0...1, required: false) ?? 1
            let sizeParameter = reader.string("sizeParameter", required: false, maxLength: 128)
            let size = reader.integer("size", in: 1...100_000, required: sizeParameter != nil)
            return .pageNumber(parameter: parameter, firstPage: firstPage, sizeParameter: sizeParameter, size: size)
        case "offset":
            let offset = reader.string("offsetParameter", required: false, maxLength: 128) ?? "offset"
            let limitParameter = reader.string("limitParameter", required: false, maxLength: 128) ?? "limit"
            guard let limit = reader.integer("limit", in: 1...100_000) else { return nil }
            return .offset(offsetParameter: offset, limitParameter: limitParameter, limit: limit)
        case "cursor":
            let parameter = reader.string("parameter", maxLength: 128)
            let tokenPath = reader.string("tokenPath", maxLength: 256)
            guard let parameter, let tokenPath else { return nil }
            return .cursor(parameter: parameter, tokenPath: tokenPath)
        case "link":
            return .linkHeader
        case "nextUrl":
            guard let path = reader.string("urlPath", maxLength: 256) else { return nil }
            return .nextURL(urlPath: path)
        default:
            reader.problem("style", "Must be one of: " + styles.joined(separator: ", ") + ".")
            return nil
        }
    }

    private static func readAuth(_ reader: inout DefinitionReader) -> RESTAuth? {
        defer { reader.finish() }
        guard let kind = reader.string("kind", maxLength: 16) else { return nil }
        switch kind {
        case "none":
            return RESTAuth.none
        case "bearer":
            return secretVariable(&reader, "tokenVariable").map { RESTAuth.bearer(tokenVariable: $0) }
        case "apiKey":
            let header = reader.string("header", maxLength: 128)
            if let header, !isHeaderName(header) { reader.problem("header", "Must be a valid header name.") }
            let variable = secretVariable(&reader, "variable")
            guard let header, let variable else { return nil }
            return .apiKey(header: header, variable: variable)
        case "basic":
            let username = reader.string("username", maxLength: 256)
            let variable = secretVariable(&reader, "passwordVariable")
            guard let username, let variable else { return nil }
            return .basic(username: username, passwordVariable: variable)
        default:
            reader.problem("kind", "Must be one of: none, bearer, apiKey, basic.")
            return nil
        }
    }

    private static func readCSV(_ reader: inout DefinitionReader) -> CSVOptions? {
        defer { reader.finish() }
        let path = importPath(&reader, "path")
        let delimiter = reader.string("delimiter", required: false, maxLength: 1) ?? ","
        if delimiter.utf8.count != 1 || ["\"", "\r", "\n"].contains(delimiter) {
            reader.problem("delimiter", "Must be one ASCII character other than a quote or a line break.")
        }
        let hasHeader = reader.bool("hasHeader") ?? true
        return path.map { CSVOptions(path: $0, delimiter: delimiter, hasHeader: hasHeader) }
    }

    private static func readPostgres(_ reader: inout DefinitionReader) -> PostgresSourceOptions? {
        defer { reader.finish() }
        let variable = secretVariable(&reader, "urlVariable")
        let selection = readSelection(&reader)
        guard let variable, let selection else { return nil }
        return PostgresSourceOptions(urlVariable: variable, selection: selection)
    }

    private static func readSQLite(_ reader: inout DefinitionReader) -> SQLiteSourceOptions? {
        defer { reader.finish() }
        let path = importPath(&reader, "path")
        let selection = readSelection(&reader)
        guard let path, let selection else { return nil }
        return SQLiteSourceOptions(path: path, selection: selection)
    }

    private static func readSelection(_ reader: inout DefinitionReader) -> SQLSelection? {
        let table = reader.string("table", required: false, maxLength: 128)
        let query = reader.string("query", required: false, maxLength: 16_384)
        switch (table, query) {
        case (let table?, nil):
            let parts = table.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains("\0") }) else {
                reader.problem("table", "Must be a table name, or schema.table.")
                return nil
            }
            return .table(table)
        case (nil, let query?):
            return .query(query)
        default:
            reader.problem("table", "Give either table or query.")
            return nil
        }
    }

    private static func secretVariable(_ reader: inout DefinitionReader, _ name: String) -> String? {
        guard let variable = reader.string(name, maxLength: 128) else { return nil }
        guard variable.hasPrefix(secretVariablePrefix), variable.count > secretVariablePrefix.count,
            variable.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (48...57).contains($0) || (65...90).contains($0) })
        else {
            reader.problem(name, "Must name an environment variable starting \(secretVariablePrefix) (A-Z, 0-9, _).")
            return nil
        }
        return variable
    }

    private static func importPath(_ reader: inout DefinitionReader, _ name: String) -> String? {
        guard let path = reader.string(name, maxLength: 1024) else { return nil }
        guard ImportDirectory.isRelativeInside(path) else {
            reader.problem(name, "Must be a relative path inside the import directory, without '..'.")
            return nil
        }
        return path
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || " ._-".unicodeScalars.contains($0)
        }
    }

    private static func isHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else { return false }
        return components.user == nil && components.password == nil
    }

    private static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                    || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
    }
}
