import Sync

/// The source form as HTML: every input with its current value, and beside each input its
/// problem, tied to it with `aria-describedby`.
struct SourceFormView {
    let form: SourceForm
    /// The source being edited; nil for a new one, whose form offers every kind.
    let editing: Source?

    private let variable = "The name of an environment variable starting SYNCLINE_SOURCE_."

    /// The form, posting to `action`.
    func render(action: String, context: PageContext) -> HTML {
        let kinds: [SourceKind] = editing.map { [$0.definition.kind] } ?? SourceKind.allCases
        let cancel = editing.map { "/sources/\($0.id)" } ?? "/sources"
        let kindHint: HTML =
            editing == nil
            ? "<p class=\"hint\">Fill in the options of the kind you chose; the others are ignored.</p>" : .empty
        return """
            <form class="stack" method="post" action="\(action)" novalidate>
              \(context.csrfField)
              \(general)
              \(incremental)
              \(schedule)
              \(kindHint)
              \(kinds.map(options(for:)))
              <div class="actions">
                <button type="submit">\(editing == nil ? "Create source" : "Save changes")</button>
                <a class="button secondary" href="\(cancel)">Cancel</a>
              </div>
            </form>
            """
    }

    private var general: HTML {
        let kind: HTML =
            if let editing {
                """
                <p><strong>Kind:</strong> \(SourceLabels.kind(editing.definition.kind)) \
                <span class="hint">(a source's kind cannot change)</span></p>
                """
            } else {
                select("kind", "Kind", SourceKind.allCases.map { ($0.rawValue, SourceLabels.kind($0)) })
            }
        let name = input(
            "name", "Name", hint: "Letters, digits, spaces, '.', '_' and '-'.",
            attributes: " required maxlength=\"64\"")
        let primaryKey = input(
            "primaryKey", "Primary key", hint: "Field names, separated by commas. Required for incremental syncs.")
        let marksDeleted = checkbox(
            "marksDeleted",
            "Keep records that vanish from the source, marked as deleted (full refresh with a primary key only)")
        return """
            <fieldset>
              <legend>Source</legend>
              \(name)
              <div class="fields">
                \(kind)
                \(select("mode", "Mode", SyncMode.allCases.map { ($0.rawValue, SourceLabels.mode($0)) }))
              </div>
              \(primaryKey)
              \(marksDeleted)
            </fieldset>
            """
    }

    private var incremental: HTML {
        """
        <fieldset>
          <legend>Incremental syncs</legend>
          <div class="fields">
            \(input("cursor.field", "Cursor field", hint: "Grows whenever a record changes, such as updated_at."))
            \(number("cursor.lookback", "Look-back", hint: "Seconds for timestamps, units for numbers."))
          </div>
        </fieldset>
        """
    }

    private var schedule: HTML {
        """
        <fieldset>
          <legend>Schedule</legend>
          \(radio("schedule", "none", "Manual syncs only"))
          \(radio("schedule", "interval", "Every few minutes"))
          \(number("schedule.everyMinutes", "Minutes between syncs"))
          \(radio("schedule", "cron", "On a cron schedule (UTC)"))
          \(input("schedule.cron", "Cron expression", hint: "Five fields: minute hour day-of-month month day-of-week."))
          \(problem("schedule"))
        </fieldset>
        """
    }

    private func options(for kind: SourceKind) -> HTML {
        switch kind {
        case .rest: restOptions
        case .csv: csvOptions
        case .postgres: postgresOptions
        case .sqlite: sqliteOptions
        }
    }

    private var restOptions: HTML {
        let styles = [
            ("none", "One request"), ("page", "Page numbers"), ("offset", "Offset and limit"),
            ("cursor", "Cursor token"), ("link", "Link header"), ("nextUrl", "Next URL in the body"),
        ]
        let auths = [
            ("none", "None"), ("bearer", "Bearer token"), ("apiKey", "API key header"), ("basic", "Basic"),
        ]
        return """
            <fieldset>
              <legend>REST API options</legend>
              \(input("rest.url", "URL of the first page", type: "url"))
              <div class="fields">
                \(input("rest.recordsPath", "Records path", hint: "Dotted keys to the records; empty for the page."))
                \(input("rest.cursorParameter", "Cursor parameter", hint: "Query parameter for incremental syncs."))
              </div>
              <fieldset>
                <legend>Pagination</legend>
                \(select("rest.pagination.style", "Style", styles))
                <div class="fields">
                  \(input("rest.pagination.parameter", "Parameter", hint: "Page numbers and cursor tokens."))
                  \(number("rest.pagination.firstPage", "First page", hint: "0 or 1."))
                  \(input("rest.pagination.sizeParameter", "Page size parameter", hint: "Page numbers."))
                  \(number("rest.pagination.size", "Page size", hint: "Page numbers."))
                  \(input("rest.pagination.offsetParameter", "Offset parameter", hint: "Offset and limit."))
                  \(input("rest.pagination.limitParameter", "Limit parameter", hint: "Offset and limit."))
                  \(number("rest.pagination.limit", "Limit", hint: "Offset and limit."))
                  \(input("rest.pagination.tokenPath", "Token path", hint: "Cursor tokens: dotted keys in each page."))
                  \(input("rest.pagination.urlPath", "Next URL path", hint: "Next URL: dotted keys in each page."))
                </div>
              </fieldset>
              <fieldset>
                <legend>Authentication</legend>
                \(select("rest.auth.kind", "Kind", auths))
                <div class="fields">
                  \(input("rest.auth.tokenVariable", "Token variable", hint: "Bearer. " + variable))
                  \(input("rest.auth.header", "Header name", hint: "API key, such as X-API-Key."))
                  \(input("rest.auth.variable", "Key variable", hint: "API key. " + variable))
                  \(input("rest.auth.username", "Username", hint: "Basic."))
                  \(input("rest.auth.passwordVariable", "Password variable", hint: "Basic. " + variable))
                </div>
              </fieldset>
              \(textarea("rest.headers", "Extra headers", hint: "One per line, as Name: value. No credentials here."))
              <div class="fields">
                \(number("rest.requestsPerSecond", "Requests per second", hint: "Empty for no cap."))
                \(number("rest.timeoutSeconds", "Timeout (seconds)", hint: "1 to 600; 30 when empty."))
                \(number("rest.maxRetries", "Retries", hint: "0 to 20; 5 when empty."))
              </div>
            </fieldset>
            """
    }

    private var csvOptions: HTML {
        var delimiters = [(",", "Comma (,)"), (";", "Semicolon (;)"), ("\t", "Tab"), ("|", "Pipe (|)")]
        let current = form["csv.delimiter"]
        if !current.isEmpty && !delimiters.contains(where: { $0.0 == current }) {
            delimiters.append((current, current))
        }
        return """
            <fieldset>
              <legend>CSV file options</legend>
              \(input("csv.path", "File", hint: "A path inside the import directory, such as exports/orders.csv."))
              \(select("csv.delimiter", "Delimiter", delimiters))
              \(checkbox("csv.hasHeader", "The first line names the columns"))
            </fieldset>
            """
    }

    private var postgresOptions: HTML {
        """
        <fieldset>
          <legend>PostgreSQL options</legend>
          \(input("postgres.urlVariable", "URL variable", hint: "It holds the postgres:// URL. " + variable))
          \(input("postgres.table", "Table", hint: "A table, or schema.table. Leave empty to give a query."))
          \(textarea("postgres.query", "Query", hint: "Instead of a table: one SELECT statement."))
        </fieldset>
        """
    }

    private var sqliteOptions: HTML {
        """
        <fieldset>
          <legend>SQLite file options</legend>
          \(input("sqlite.path", "File", hint: "A path inside the import directory, such as shop.db."))
          \(input("sqlite.table", "Table", hint: "Leave empty to give a query."))
          \(textarea("sqlite.query", "Query", hint: "Instead of a table: one SELECT statement."))
        </fieldset>
        """
    }

    // MARK: Inputs

    private func input(
        _ name: String, _ label: String, hint: String? = nil, type: String = "text", attributes: HTML = .empty
    ) -> HTML {
        """
        <label>\(label)<input id="\(id(name))" name="\(name)" type="\(type)" value="\(form[name])"\(attributes)\
        \(described(name, hint: hint))>\(hintText(name, hint))\(problem(name))</label>
        """
    }

    private func number(_ name: String, _ label: String, hint: String? = nil) -> HTML {
        input(name, label, hint: hint, attributes: " inputmode=\"decimal\"")
    }

    private func textarea(_ name: String, _ label: String, hint: String) -> HTML {
        """
        <label>\(label)<textarea id="\(id(name))" name="\(name)" class="code" rows="4"\(described(name, hint: hint))>\
        \(form[name])</textarea>\(hintText(name, hint))\(problem(name))</label>
        """
    }

    private func select(_ name: String, _ label: String, _ choices: [(value: String, label: String)]) -> HTML {
        let options = choices.map { choice -> HTML in
            let selected: HTML = choice.value == form[name] ? " selected" : ""
            return "<option value=\"\(choice.value)\"\(selected)>\(choice.label)</option>"
        }
        return """
            <label>\(label)<select id="\(id(name))" name="\(name)"\(described(name, hint: nil))>\(options)</select>\
            \(problem(name))</label>
            """
    }

    private func checkbox(_ name: String, _ label: String) -> HTML {
        let checked: HTML = form.isChecked(name) ? " checked" : ""
        return """
            <label class="check"><input id="\(id(name))" name="\(name)" type="checkbox" value="true"\(checked)\
            \(described(name, hint: nil))> \(label)</label>\(problem(name))
            """
    }

    private func radio(_ name: String, _ value: String, _ label: String) -> HTML {
        let checked: HTML = form[name] == value ? " checked" : ""
        return """
            <label class="check"><input name="\(name)" type="radio" value="\(value)"\(checked)> \(label)</label>
            """
    }

    /// The element id of input `name`; names are dotted paths, which ids may hold.
    private func id(_ name: String) -> String {
        "field-" + name
    }

    /// `aria-invalid` and `aria-describedby` for input `name`, naming its hint and its problem.
    private func described(_ name: String, hint: String?) -> HTML {
        var ids: [String] = []
        if hint != nil { ids.append(id(name) + "-hint") }
        if form.problems[name] != nil { ids.append(id(name) + "-error") }
        let invalid: HTML = form.problems[name] == nil ? .empty : " aria-invalid=\"true\""
        return ids.isEmpty ? invalid : invalid + " aria-describedby=\"\(ids.joined(separator: " "))\""
    }

    private func hintText(_ name: String, _ hint: String?) -> HTML {
        hint.map { "<span class=\"hint\" id=\"\(id(name))-hint\">\($0)</span>" } ?? .empty
    }

    private func problem(_ name: String) -> HTML {
        form.problems[name].map { "<span class=\"field-error\" id=\"\(id(name))-error\">\($0)</span>" } ?? .empty
    }
}
