import Core
import Foundation
import Sync

/// The inputs of the source form as typed, the definition they describe, and a message for each
/// input that needs fixing.
///
/// Inputs are named after the definition's dotted paths (`rest.pagination.size`), so the field
/// errors of ``SourceDefinition/init(json:)`` land on their inputs; the few that do not are
/// mapped by ``input(forProblemAt:)``.
struct SourceForm {
    /// Values by input name, as typed; a ticked checkbox holds `true`.
    private(set) var values: [String: String]
    /// Messages by input name.
    var problems: [String: String] = [:]

    /// Every input of the form.
    static let inputs: Set<String> = Set(
        [
            "name", "kind", "mode", "primaryKey", "marksDeleted", "cursor.field", "cursor.lookback", "schedule",
            "schedule.everyMinutes", "schedule.cron", "rest.url", "rest.recordsPath", "rest.headers",
            "rest.cursorParameter", "rest.requestsPerSecond", "rest.timeoutSeconds", "rest.maxRetries",
            "rest.pagination.style", "rest.auth.kind", "csv.path", "csv.delimiter", "csv.hasHeader",
            "postgres.urlVariable", "postgres.table", "postgres.query", "sqlite.path", "sqlite.table", "sqlite.query",
        ] + paginationFields.values.flatMap { $0.map { "rest.pagination." + $0.name } }
            + authFields.values.flatMap { $0.map { "rest.auth." + $0 } })

    /// The inputs that are checkboxes.
    static let checkboxes: Set<String> = ["marksDeleted", "csv.hasHeader"]

    /// The options of each pagination style, and whether each is a number.
    static let paginationFields: [String: [(name: String, isNumber: Bool)]] = [
        "page": [("parameter", false), ("firstPage", true), ("sizeParameter", false), ("size", true)],
        "offset": [("offsetParameter", false), ("limitParameter", false), ("limit", true)],
        "cursor": [("parameter", false), ("tokenPath", false)],
        "nextUrl": [("urlPath", false)],
    ]

    /// The options of each authentication kind; all are text.
    static let authFields: [String: [String]] = [
        "bearer": ["tokenVariable"], "apiKey": ["header", "variable"], "basic": ["username", "passwordVariable"],
    ]

    /// Definition paths whose input has another name, or that name an object shown by its first input.
    private static let aliases = [
        "schedule.everySeconds": "schedule.everyMinutes", "cursor": "cursor.field", "rest": "rest.url",
        "rest.pagination": "rest.pagination.style", "rest.auth": "rest.auth.kind", "csv": "csv.path",
        "postgres": "postgres.urlVariable", "sqlite": "sqlite.path",
    ]

    /// A form for a new source, with the usual choices made.
    static let blank = SourceForm(values: [
        "kind": SourceKind.rest.rawValue, "mode": SyncMode.full.rawValue, "schedule": "none",
        "rest.pagination.style": "none", "rest.auth.kind": "none", "csv.delimiter": ",", "csv.hasHeader": "true",
    ])

    private init(values: [String: String]) {
        self.values = values
    }

    /// The inputs a browser sent; text is trimmed, but a delimiter is kept as sent (it may be a tab).
    init(_ form: FormBody) {
        values = [:]
        for name in Self.inputs {
            if Self.checkboxes.contains(name) {
                values[name] = form[name] == nil ? "false" : "true"
            } else {
                values[name] = name == "csv.delimiter" ? form.raw(name) : form[name]
            }
        }
    }

    /// The inputs showing `definition`, to edit it.
    init(_ definition: SourceDefinition) {
        values = [:]
        if let json = try? JSONDecoder().decode(JSONValue.self, from: Data(definition.jsonText.utf8)) {
            flatten(json, path: "")
        }
        if let seconds = values.removeValue(forKey: "schedule.everySeconds").flatMap(Double.init) {
            values["schedule"] = "interval"
            values["schedule.everyMinutes"] = Self.numberText(seconds / 60)
        } else {
            values["schedule"] = values["schedule.cron"] == nil ? "none" : "cron"
        }
    }

    /// The value of input `name`; empty when it has none.
    subscript(name: String) -> String {
        values[name] ?? ""
    }

    /// Whether the checkbox `name` is ticked.
    func isChecked(_ name: String) -> Bool {
        values[name] == "true"
    }

    /// Sets input `name`, as pages do for what the form does not send (the kind of a source being edited).
    mutating func set(_ name: String, _ value: String) {
        values[name] = value
    }

    /// The definition the inputs describe, or nil with ``problems`` naming each input to fix.
    mutating func definition() -> SourceDefinition? {
        let json = self.json()
        do {
            let definition = try SourceDefinition(json: json)
            return problems.isEmpty ? definition : nil
        } catch {
            for (path, message) in error.fields.sorted(by: { $0.key < $1.key }) {
                let input = Self.input(forProblemAt: path)
                if problems[input] == nil { problems[input] = message }
            }
            if error.fields.isEmpty { problems["name"] = error.message }
            return nil
        }
    }

    /// The input that shows the problem a definition has at `path`: the input of that name, an
    /// alias, or the input of the nearest enclosing path (`rest.headers.X-Key` → `rest.headers`).
    static func input(forProblemAt path: String) -> String {
        var candidate = path
        while true {
            if let alias = aliases[candidate] { return alias }
            if inputs.contains(candidate) { return candidate }
            guard let dot = candidate.lastIndex(of: ".") else { return path }
            candidate = String(candidate[..<dot])
        }
    }

    /// The definition's JSON object: the common members and those of the chosen kind only.
    private mutating func json() -> JSONValue {
        let kind = self["kind"]
        var root: [String: JSONValue] = ["kind": .string(kind)]
        root["name"] = text("name")
        root["mode"] = text("mode")
        let keys = self["primaryKey"].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if !keys.isEmpty { root["primaryKey"] = .array(keys.map(JSONValue.string)) }
        if let field = text("cursor.field") {
            var cursor = ["field": field]
            cursor["lookback"] = number("cursor.lookback")
            root["cursor"] = .object(cursor)
        }
        root["schedule"] = schedule()
        if isChecked("marksDeleted") { root["marksDeleted"] = .bool(true) }
        switch SourceKind(rawValue: kind) {
        case .rest?: root[kind] = .object(restOptions())
        case .csv?:
            var options: [String: JSONValue] = ["hasHeader": .bool(isChecked("csv.hasHeader"))]
            options["path"] = text("csv.path")
            options["delimiter"] = text("csv.delimiter")
            root[kind] = .object(options)
        case .postgres?:
            root[kind] = selectionOptions("postgres", connection: "urlVariable")
        case .sqlite?:
            root[kind] = selectionOptions("sqlite", connection: "path")
        case nil:
            break
        }
        return .object(root)
    }

    private mutating func restOptions() -> [String: JSONValue] {
        var rest: [String: JSONValue] = [:]
        rest["url"] = text("rest.url")
        rest["recordsPath"] = text("rest.recordsPath")
        rest["cursorParameter"] = text("rest.cursorParameter")
        rest["requestsPerSecond"] = number("rest.requestsPerSecond")
        rest["timeoutSeconds"] = number("rest.timeoutSeconds")
        rest["maxRetries"] = number("rest.maxRetries")
        rest["headers"] = headers()
        let style = self["rest.pagination.style"].isEmpty ? "none" : self["rest.pagination.style"]
        var pagination: [String: JSONValue] = ["style": .string(style)]
        for field in Self.paginationFields[style] ?? [] {
            let input = "rest.pagination." + field.name
            pagination[field.name] = field.isNumber ? number(input) : text(input)
        }
        rest["pagination"] = .object(pagination)
        let authKind = self["rest.auth.kind"].isEmpty ? "none" : self["rest.auth.kind"]
        var auth: [String: JSONValue] = ["kind": .string(authKind)]
        for field in Self.authFields[authKind] ?? [] {
            auth[field] = text("rest.auth." + field)
        }
        rest["auth"] = .object(auth)
        return rest
    }

    /// The options of a PostgreSQL or SQLite source: where it is, then a table or a query.
    private func selectionOptions(_ kind: String, connection: String) -> JSONValue {
        var options: [String: JSONValue] = [:]
        for name in [connection, "table", "query"] {
            options[name] = text(kind + "." + name)
        }
        return .object(options)
    }

    /// `{"everySeconds": N}`, `{"cron": "…"}` or nothing, as the schedule choice says.
    private mutating func schedule() -> JSONValue? {
        switch self["schedule"] {
        case "interval":
            guard let minutes = Double(self["schedule.everyMinutes"]), minutes > 0, minutes <= 525_600 else {
                problems["schedule.everyMinutes"] = "Enter the minutes between syncs: more than 0, at most 525,600."
                return nil
            }
            return .object(["everySeconds": .number(max(1, (minutes * 60).rounded()))])
        case "cron":
            guard let cron = text("schedule.cron") else {
                problems["schedule.cron"] = "Enter a cron expression, or choose another schedule."
                return nil
            }
            return .object(["cron": cron])
        default:
            return nil
        }
    }

    /// Extra headers from lines of `Name: value`.
    private mutating func headers() -> JSONValue? {
        var headers: [String: JSONValue] = [:]
        for line in self["rest.headers"].split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let colon = text.firstIndex(of: ":") else {
                problems["rest.headers"] = "Write one header per line, as Name: value."
                return nil
            }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces)
            headers[name] = .string(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return headers.isEmpty ? nil : .object(headers)
    }

    private func text(_ name: String) -> JSONValue? {
        let value = self[name]
        return value.isEmpty ? nil : .string(value)
    }

    private mutating func number(_ name: String) -> JSONValue? {
        let value = self[name]
        guard !value.isEmpty else { return nil }
        guard let number = Double(value), number.isFinite else {
            problems[name] = "Enter a number."
            return nil
        }
        return .number(number)
    }

    /// Stores every member of `value` under its dotted path.
    private mutating func flatten(_ value: JSONValue, path: String) {
        switch value {
        case .object(let members) where path == "rest.headers":
            values[path] = members.keys.sorted().map { name -> String in
                guard case .string(let text)? = members[name] else { return name + ":" }
                return name + ": " + text
            }
            .joined(separator: "\n")
        case .object(let members):
            for (name, member) in members {
                flatten(member, path: path.isEmpty ? name : path + "." + name)
            }
        case .array(let items):
            values[path] = items.compactMap { item -> String? in
                guard case .string(let text) = item else { return nil }
                return text
            }
            .joined(separator: ", ")
        case .string(let text):
            values[path] = text
        case .number(let number):
            values[path] = Self.numberText(number)
        case .bool(let flag):
            values[path] = flag ? "true" : "false"
        case .null:
            break
        }
    }

    /// A number as a person would type it: `30`, not `30.0`.
    private static func numberText(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
