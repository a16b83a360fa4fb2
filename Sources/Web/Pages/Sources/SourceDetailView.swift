import Foundation
import Sync

/// The page of one source: what it is, its current sync followed live, its columns and its sync
/// history; connection details and the controls that change things for admins only.
struct SourceDetailView {
    let source: Source
    /// The newest runs first.
    let runs: [SyncRun]
    let columns: [RecordColumn]
    /// The fields a discovery just found, shown once after it.
    var discovered: [DiscoveredField]?
    let now: Date

    /// The whole page for `context`'s user.
    func render(context: PageContext, notice: Layout.Notice?) -> HTML {
        let active = runs.first.flatMap { $0.status.isFinished ? nil : $0 }
        let connection: HTML =
            context.isAdmin ? "<section class=\"card\"><h2>Connection</h2>\(facts(connectionFacts))</section>" : .empty
        return Layout.page(
            title: source.name, context: context, section: .sources, notice: notice,
            content: """
                <p class="small"><a href="/sources">Sources</a> /</p>
                <div class="page-head">
                  <div>
                    <h1>\(source.name)</h1>
                    <p class="muted">\(SourceLabels.kind(source.definition.kind)) · \
                \(SourceLabels.mode(source.definition.mode))</p>
                  </div>
                  <div class="actions">
                    <a class="button secondary" href="/sources/\(source.id)/records">Browse records</a>
                    \(context.isAdmin ? adminActions(active: active, context: context) : .empty)
                  </div>
                </div>
                \(active.map { progress($0, context: context) } ?? .empty)
                \(discovered.map(discoveredFields) ?? .empty)
                <div class="grid">
                  <section class="card"><h2>About this source</h2>\(facts(aboutFacts))</section>
                  \(connection)
                </div>
                \(columnList)
                \(history)
                """)
    }

    private func adminActions(active: SyncRun?, context: PageContext) -> HTML {
        let path = "/sources/\(source.id)"
        let confirmation =
            "Delete \(source.name) with its \(DisplayFormat.count(source.recordCount, "record")) and sync history?"
        let delete = PostButton.render(
            "Delete", action: path + "/delete", context: context, style: "danger", confirm: confirmation)
        return """
            <a class="button secondary" href="\(path)/edit">Edit</a>
            \(PostButton.render("Test connection", action: path + "/test", context: context, style: "secondary"))
            \(PostButton.render("Discover schema", action: path + "/discover", context: context, style: "secondary"))
            \(active == nil ? PostButton.render("Run sync now", action: path + "/sync", context: context) : .empty)
            \(delete)
            """
    }

    /// The running or queued run, which the page's script follows through `/api/v1/syncs/{id}`.
    private func progress(_ run: SyncRun, context: PageContext) -> HTML {
        let rate = run.recordsPerSecond(now: now).map { DisplayFormat.integer(Int64($0.rounded())) + "/s" } ?? "–"
        let elapsed = run.elapsedSeconds(now: now).map { String(format: "%.1f s", $0) } ?? "–"
        let cancel: HTML =
            context.isAdmin
            ? PostButton.render(
                "Cancel sync", action: "/sources/\(source.id)/cancel", context: context, style: "danger",
                confirm: "Cancel this sync?", fields: [("run", String(run.id))])
            : .empty
        return """
            <section class="card" data-sync-run="\(run.id)" aria-live="polite">
              <h2>Sync run \(run.id) \(SourceLabels.badge(run.status, live: true))</h2>
              <div class="progress"><span></span></div>
              <dl class="facts">
                <dt>Phase</dt><dd data-field="phase">\(run.phase)</dd>
                <dt>Records read</dt><dd data-field="recordsRead">\(DisplayFormat.integer(run.recordsRead))</dd>
                <dt>Records written</dt>\
            <dd data-field="recordsWritten">\(DisplayFormat.integer(run.recordsWritten))</dd>
                <dt>Batches</dt><dd data-field="pages">\(DisplayFormat.integer(run.pages))</dd>
                <dt>Rate</dt><dd data-field="rate">\(rate)</dd>
                <dt>Elapsed</dt><dd data-field="elapsed">\(elapsed)</dd>
              </dl>
              <p class="field-error" data-field="error"></p>
              \(cancel)
            </section>
            """
    }

    private func discoveredFields(_ fields: [DiscoveredField]) -> HTML {
        let rows = fields.map { field -> HTML in
            let type: HTML = field.type.map { "\($0.rawValue)" } ?? "<span class=\"muted\">only nulls</span>"
            return """
                <tr><td>\(field.field)</td><td>\(type)</td>\
                <td class="number">\(DisplayFormat.integer(Int64(field.present)))</td></tr>
                """
        }
        let body: HTML =
            fields.isEmpty
            ? "<p class=\"muted\">The sample held no records.</p>"
            : """
            <div class="table-wrap"><table>
            <thead><tr><th scope="col">Field</th><th scope="col">Proposed type</th>\
            <th scope="col" class="number">Records with a value</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """
        return """
            <section class="card">
              <h2>Discovered fields</h2>
              <p class="muted">From a sample of the source's first records. \
            A sync settles the types from every record.</p>
              \(body)
            </section>
            """
    }

    private var aboutFacts: [(String, HTML)] {
        let definition = source.definition
        var facts: [(String, HTML)] = [
            ("Kind", "\(SourceLabels.kind(definition.kind))"), ("Mode", "\(SourceLabels.mode(definition.mode))"),
            ("Records", "\(DisplayFormat.integer(source.recordCount))"),
            ("Last synced", source.lastSyncedAt.map { DisplayFormat.time($0, now: now) } ?? "never"),
            ("Schedule", "\(SourceLabels.schedule(definition.schedule))"),
            ("Next sync", source.nextSyncAt.map { DisplayFormat.time($0, now: now) } ?? "when an admin starts one"),
            (
                "Primary key",
                definition.primaryKey.isEmpty
                    ? "none; records are numbered" : "\(definition.primaryKey.joined(separator: ", "))"
            ),
        ]
        if let cursor = definition.cursor {
            facts.append(
                ("Cursor", "<code>\(cursor.field)</code>, looking back \(DisplayFormat.real(cursor.lookback))"))
        }
        if definition.marksDeleted { facts.append(("Deleted records", "kept, marked as deleted")) }
        facts.append(("Created", DisplayFormat.time(source.createdAt, now: now)))
        facts.append(("Changed", DisplayFormat.time(source.updatedAt, now: now)))
        return facts
    }

    private var connectionFacts: [(String, HTML)] {
        switch source.definition.connection {
        case .rest(let rest):
            var facts: [(String, HTML)] = [
                ("URL", "<code>\(rest.url)</code>"),
                ("Records path", rest.recordsPath.isEmpty ? "the page itself" : "<code>\(rest.recordsPath)</code>"),
                ("Pagination", pagination(rest.pagination)), ("Authentication", authentication(rest.auth)),
            ]
            if !rest.headers.isEmpty {
                let lines = rest.headers.sorted { $0.key < $1.key }.map {
                    "<code>\($0.key): \($0.value)</code><br>" as HTML
                }
                facts.append(("Extra headers", lines.joined))
            }
            if let parameter = rest.cursorParameter { facts.append(("Cursor parameter", "<code>\(parameter)</code>")) }
            facts.append(("Requests per second", "\(rest.requestsPerSecond.map(DisplayFormat.real) ?? "no cap")"))
            facts.append(("Timeout", "\(DisplayFormat.real(rest.timeoutSeconds)) s"))
            facts.append(("Retries", "\(rest.maxRetries)"))
            return facts
        case .csv(let csv):
            let delimiter = csv.delimiter == "\t" ? "tab" : "<code>\(csv.delimiter)</code>" as HTML
            return [
                ("File", "<code>\(csv.path)</code>"), ("Delimiter", delimiter),
                ("Header row", csv.hasHeader ? "yes" : "no; columns are column1, column2, …"),
            ]
        case .postgres(let options):
            return [("URL variable", "<code>\(options.urlVariable)</code>"), selection(options.selection)]
        case .sqlite(let options):
            return [("File", "<code>\(options.path)</code>"), selection(options.selection)]
        }
    }

    private func selection(_ selection: SQLSelection) -> (String, HTML) {
        switch selection {
        case .table(let name): ("Table", "<code>\(name)</code>")
        case .query(let sql): ("Query", "<pre><code>\(sql)</code></pre>")
        }
    }

    private func pagination(_ pagination: RESTPagination) -> HTML {
        switch pagination {
        case .none:
            return "one request"
        case .pageNumber(let parameter, let firstPage, let sizeParameter, let size):
            let sizing: HTML = sizeParameter.map { ", <code>\($0)=\(size.map(String.init) ?? "")</code>" } ?? .empty
            return "page numbers in <code>\(parameter)</code> from \(firstPage)\(sizing)"
        case .offset(let offsetParameter, let limitParameter, let limit):
            return "offset in <code>\(offsetParameter)</code>, <code>\(limitParameter)=\(limit)</code>"
        case .cursor(let parameter, let tokenPath):
            return "token at <code>\(tokenPath)</code> sent as <code>\(parameter)</code>"
        case .linkHeader:
            return "the Link header's next link"
        case .nextURL(let urlPath):
            return "the URL at <code>\(urlPath)</code>"
        }
    }

    private func authentication(_ auth: RESTAuth) -> HTML {
        switch auth {
        case .none: "none"
        case .bearer(let variable): "bearer token from <code>\(variable)</code>"
        case .apiKey(let header, let variable): "<code>\(header)</code> header from <code>\(variable)</code>"
        case .basic(let username, let variable):
            "basic, user <code>\(username)</code>, password from <code>\(variable)</code>"
        }
    }

    private func facts(_ facts: [(String, HTML)]) -> HTML {
        "<dl class=\"facts\">\(facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" as HTML })</dl>"
    }

    private var columnList: HTML {
        guard !columns.isEmpty else {
            return """
                <section class="card"><h2>Columns</h2>\
                <p class="muted">Columns appear after the first sync.</p></section>
                """
        }
        let rows = columns.map { column -> HTML in
            let stored: HTML =
                column.name == column.field ? .empty : " <span class=\"muted small\">(column \(column.name))</span>"
            return "<tr><td>\(column.field)\(stored)</td><td>\(column.type.rawValue)</td></tr>"
        }
        return """
            <section class="card">
              <h2>Columns</h2>
              <div class="table-wrap"><table>
              <thead><tr><th scope="col">Field</th><th scope="col">Type</th></tr></thead>
              <tbody>\(rows)</tbody>
              </table></div>
            </section>
            """
    }

    private var history: HTML {
        guard !runs.isEmpty else {
            return "<section class=\"card\"><h2>Sync history</h2><p class=\"muted\">No syncs yet.</p></section>"
        }
        let rows = runs.map { run -> HTML in
            let started: HTML =
                run.startedAt.map { DisplayFormat.time($0, now: now) } ?? "<span class=\"muted\">waiting</span>"
            let elapsed = run.elapsedSeconds(now: now).map(DisplayFormat.duration) ?? "–"
            let duration = run.status.isFinished ? elapsed : "running"
            return """
                <tr><td>\(SourceLabels.badge(run.status))</td><td>\(run.trigger.rawValue)</td>\
                <td>\(run.requestedBy)</td><td>\(started)</td><td class="number">\(duration)</td>\
                <td class="number">\(DisplayFormat.integer(run.recordsRead))</td>\
                <td class="number">\(DisplayFormat.integer(run.recordsWritten))</td>\
                <td class="small">\(run.error ?? "")</td></tr>
                """
        }
        return """
            <section class="card">
              <h2>Sync history</h2>
              <div class="table-wrap"><table>
              <thead><tr><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">By</th>\
            <th scope="col">Started</th><th scope="col" class="number">Duration</th>\
            <th scope="col" class="number">Read</th><th scope="col" class="number">Written</th>\
            <th scope="col">Error</th></tr></thead>
              <tbody>\(rows)</tbody>
              </table></div>
            </section>
            """
    }
}
