import Core
import Foundation
import Sync

/// The data table of a source's records, with its search, filter and column forms, sortable
/// headers, keyset pager and CSV export link.
struct RecordTableView {
    let source: Source
    /// Every column of the source's records, for the column chooser and the filter form.
    let columns: [RecordColumn]
    let state: RecordTableState
    /// The page read; nil when the query could not run.
    let page: RecordPage?
    /// What is wrong with the query, by parameter (`filter[1]`, `sort`), when it could not run.
    let problems: [String: String]

    private static let operators: [(FilterOperator, String)] = [
        (.eq, "="), (.ne, "≠"), (.gt, ">"), (.gte, "≥"), (.lt, "<"), (.lte, "≤"), (.contains, "contains"),
        (.prefix, "starts with"), (.isNull, "is empty"), (.notNull, "is not empty"),
    ]

    private var path: String { "/sources/\(source.id)/records" }

    /// The whole page for `context`'s user.
    func render(context: PageContext) -> HTML {
        let notice = problems.isEmpty ? nil : Layout.Notice.error("The table cannot be shown as asked. " + summary)
        let export: HTML =
            columns.isEmpty
            ? .empty : "<a class=\"button secondary\" href=\"\(state.exportLink(sourceID: source.id))\">Export CSV</a>"
        return Layout.page(
            title: "Records of \(source.name)", context: context, section: .sources, notice: notice,
            content: """
                <p class="small"><a href="/sources">Sources</a> / \
                <a href="/sources/\(source.id)">\(source.name)</a> /</p>
                <div class="page-head">
                  <div><h1>Records</h1>\
                <p class="muted">\(DisplayFormat.count(source.recordCount, "record")) in \(source.name)</p></div>
                  <div class="actions">\(export)</div>
                </div>
                \(columns.isEmpty ? noRecordsYet(context: context) : controls + table)
                """)
    }

    private var summary: String {
        problems.sorted { $0.key < $1.key }.map { key, message in
            guard let index = Self.filterIndex(key), index < state.filters.count else { return message }
            return "Filter \(Self.describe(state.filters[index])): \(message)"
        }
        .joined(separator: " ")
    }

    private func noRecordsYet(context: PageContext) -> HTML {
        let next: HTML =
            context.isAdmin
            ? PostButton.render("Run sync now", action: "/sources/\(source.id)/sync", context: context)
            : "<p>An admin can start a sync from the source's page.</p>"
        return """
            <section class="card empty">
              <h2>No records yet</h2>
              <p>Records appear here after the source's first sync.</p>
              \(next)
            </section>
            """
    }

    // MARK: Controls

    private var controls: HTML {
        """
        <section class="card">
          \(searchForm)
          \(filterForm)
          \(activeFilters)
          \(columnChooser)
        </section>
        """
    }

    private var searchForm: HTML {
        let sizes = RecordTableState.pageSizes.map { size -> HTML in
            "<option value=\"\(size)\"\(size == state.limit ? HTML(" selected") : .empty)>\(size)</option>"
        }
        let problem: HTML =
            problems["q"].map { "<span class=\"field-error\" id=\"records-q-error\">\($0)</span>" } ?? .empty
        let invalid: HTML =
            problems["q"] == nil ? .empty : " aria-invalid=\"true\" aria-describedby=\"records-q-error\""
        return """
            <form class="row" method="get" action="\(path)" role="search">
              \(state.hiddenInputs(except: ["q", "limit"]))
              <label>Search text\
            <input type="search" name="q" value="\(state.search)" maxlength="200"\(invalid)>\(problem)</label>
              <label>Rows per page<select name="limit" data-submit>\(sizes)</select></label>
              <button type="submit">Search</button>
            </form>
            """
    }

    private var filterForm: HTML {
        let fields = columns.map { "<option value=\"\($0.field)\">\($0.field)</option>" as HTML }
        let operators = Self.operators.map { "<option value=\"\($0.0.rawValue)\">\($0.1)</option>" as HTML }
        return """
            <form class="row" method="get" action="\(path)">
              \(state.hiddenInputs(except: []))
              <label>Field<select name="add_field">\(fields)</select></label>
              <label>Condition<select name="add_op">\(operators)</select></label>
              <label>Value<input name="add_value" placeholder="not needed for empty checks"></label>
              <button class="secondary" type="submit">Add filter</button>
            </form>
            """
    }

    private var activeFilters: HTML {
        guard !state.filters.isEmpty else { return .empty }
        let items = state.filters.enumerated().map { index, filter -> HTML in
            let description = Self.describe(filter)
            let problem: HTML =
                problems["filter[\(index)]"].map { " <span class=\"field-error\">\($0)</span>" } ?? .empty
            let remove = state.link(path) { $0.filters.remove(at: index) }
            return """
                <li><span class="badge">\(description)</span> \
                <a href="\(remove)" aria-label="Remove filter \(description)">Remove</a>\(problem)</li>
                """
        }
        let clear = state.link(path) { $0.filters = [] }
        return """
            <p class="small"><strong>Filters</strong> (every one must match) · <a href="\(clear)">Clear all</a></p>
            <ul>\(items)</ul>
            """
    }

    private var columnChooser: HTML {
        let shown = Set(state.fields)
        let boxes = columns.map { column -> HTML in
            let checked: HTML = shown.isEmpty || shown.contains(column.field) ? " checked" : ""
            return """
                <label class="check">\
                <input type="checkbox" name="fields" value="\(column.field)"\(checked)> \(column.field)</label>
                """
        }
        let count = shown.isEmpty ? columns.count : columns.filter { shown.contains($0.field) }.count
        let problem: HTML = problems["fields"].map { "<p class=\"field-error\">\($0)</p>" } ?? .empty
        return """
            <details>
              <summary>Columns (\(count) of \(columns.count) shown)</summary>
              <form class="row" method="get" action="\(path)">
                \(state.hiddenInputs(except: ["fields"]))
                \(boxes)
                <button class="secondary" type="submit">Show columns</button>
              </form>
              \(problem)
            </details>
            """
    }

    // MARK: Table

    private var table: HTML {
        guard let page else { return recovery }
        guard !page.records.isEmpty else { return noMatches }
        let headers = page.columns.map(header)
        let types = page.columns.map(\.type)
        let rows = page.records.map { record -> HTML in
            var row: HTML = "<tr>"
            for (value, type) in zip(record, types) {
                row += Self.cell(value, type: type)
            }
            return row + "</tr>"
        }
        let order: HTML =
            state.sort.isEmpty
            ? "<p class=\"muted small\">In the order of the records' keys. Choose a column's name to sort by it.</p>"
            : .empty
        return """
            <section class="card">
              \(order)
              <div class="table-wrap">
                <table>
                  <thead><tr>\(headers)</tr></thead>
                  <tbody>\(rows)</tbody>
                </table>
              </div>
              \(pager(page))
            </section>
            """
    }

    private func header(_ column: RecordColumn) -> HTML {
        let ascending = state.sort == column.field
        let descending = state.sort == "-" + column.field
        let link = state.link(path) { $0.sort = ascending ? "-" + column.field : column.field }
        let sorting: HTML =
            ascending
            ? " aria-sort=\"ascending\"" : descending ? " aria-sort=\"descending\"" : .empty
        let arrow: HTML =
            ascending
            ? " <span aria-hidden=\"true\">▲</span>" : descending ? " <span aria-hidden=\"true\">▼</span>" : .empty
        let number: HTML = Self.isNumeric(column.type) ? " class=\"number\"" : .empty
        return """
            <th scope="col"\(number)\(sorting) title="\(column.type.rawValue)">\
            <a href="\(link)">\(column.field)</a>\(arrow)</th>
            """
    }

    private func pager(_ page: RecordPage) -> HTML {
        let first: HTML = state.after == nil ? "<span></span>" : "<a href=\"\(state.link(path))\">First page</a>"
        let next: HTML =
            page.nextCursor.map { cursor in
                let link = state.link(path) { $0.after = cursor }
                return "<a class=\"button secondary\" rel=\"next\" href=\"\(link)\">Next page</a>"
            } ?? "<span></span>"
        let count = DisplayFormat.count(page.records.count, "record")
        return """
            <nav class="pager" aria-label="Pages">\(first)<span class="muted">\(count) on this page</span>\(next)</nav>
            """
    }

    private var noMatches: HTML {
        if state.isNarrowed {
            let clear = state.link(path) { state in
                state.filters = []
                state.search = ""
            }
            return """
                <section class="card empty">
                  <h2>No records match</h2>
                  <p>No record meets every filter and the search.</p>
                  <p><a class="button secondary" href="\(clear)">Clear filters and search</a></p>
                </section>
                """
        }
        if state.after != nil {
            return """
                <section class="card empty">
                  <h2>No more records</h2>
                  <p><a class="button secondary" href="\(state.link(path))">First page</a></p>
                </section>
                """
        }
        return """
            <section class="card empty">
              <h2>No records yet</h2>
              <p>The last sync stored no records.</p>
            </section>
            """
    }

    /// What to do when the query could not run: links back to a table that works.
    private var recovery: HTML {
        var links: [HTML] = []
        if problems["sort"] != nil { links.append("<a href=\"\(state.link(path) { $0.sort = "" })\">Sort by key</a>") }
        if problems["fields"] != nil {
            links.append("<a href=\"\(state.link(path) { $0.fields = [] })\">Show every column</a>")
        }
        if problems["after"] != nil { links.append("<a href=\"\(state.link(path))\">First page</a>") }
        links.append("<a href=\"\(path)\">Start over</a>")
        return """
            <section class="card empty">
              <h2>Nothing to show with these settings</h2>
              <p>Change or remove what the message above names.</p>
              <p>\(links.map { $0 + " " }.joined)</p>
            </section>
            """
    }

    // MARK: Cells

    /// One cell: numbers right-aligned and grouped, booleans as yes or no, timestamps in UTC,
    /// nulls faint, long JSON and text cut short with the whole value in the tooltip.
    static func cell(_ value: RecordValue, type: ColumnType) -> HTML {
        switch value {
        case .null:
            return "<td class=\"null\">null</td>"
        case .integer(let number):
            return "<td class=\"number\">\(DisplayFormat.integer(number))</td>"
        case .real(let number):
            return "<td class=\"number\">\(DisplayFormat.real(number))</td>"
        case .bool(let flag):
            return flag ? "<td>yes</td>" : "<td>no</td>"
        case .json(let text):
            return shortened(text, limit: 60, code: true)
        case .text(let text):
            if type == .timestamp, let date = Timestamp.parse(text) {
                return "<td><time datetime=\"\(text)\">\(DisplayFormat.utc(date))</time></td>"
            }
            return shortened(text, limit: 200, code: false)
        }
    }

    private static func shortened(_ text: String, limit: Int, code: Bool) -> HTML {
        let shown: HTML
        let title: HTML
        if text.count > limit {
            shown = "\(String(text.prefix(limit)))…"
            title = " title=\"\(text)\""
        } else {
            shown = "\(text)"
            title = .empty
        }
        return code ? "<td\(title)><code>\(shown)</code></td>" : "<td\(title)>\(shown)</td>"
    }

    private static func isNumeric(_ type: ColumnType) -> Bool {
        type == .integer || type == .real
    }

    /// A filter as people read it: `amount ≥ 50`, `note is empty`.
    static func describe(_ filter: String) -> String {
        guard let parsed = RecordFilter(parsing: filter),
            let symbol = operators.first(where: { $0.0 == parsed.operation })?.1
        else { return filter }
        return [parsed.field, symbol, parsed.value.map { "“\($0)”" }].compactMap { $0 }.joined(separator: " ")
    }

    private static func filterIndex(_ key: String) -> Int? {
        guard key.hasPrefix("filter["), key.hasSuffix("]") else { return nil }
        return Int(key.dropFirst(7).dropLast())
    }
}
