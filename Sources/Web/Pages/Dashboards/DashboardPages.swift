import Audit
import Core
import Dashboards
import Foundation
import HTTP
import Identity
import Sync

/// The dashboards: a list, each dashboard's widget grid, and the editor for admins.
struct DashboardPages {
    let identity: IdentityService
    let dashboards: DashboardService
    let sync: SyncService
    let audit: any AuditRecorder

    func register(on router: inout Router) {
        router.page(.get, "/dashboards", access: .viewer, identity: identity) { request, context in
            .html(try list(context, notice: Self.notice(request)))
        }
        router.page(.post, "/dashboards", access: .admin, identity: identity) { request, context in
            let form = FormBody(request)
            do throws(DashboardError) {
                let dashboard = try dashboards.create(
                    DashboardDefinition(name: form["name"] ?? "", description: form["description"] ?? ""))
                record("dashboard.create", dashboard.name, request)
                return .redirect(to: "/dashboards/\(dashboard.id)/edit")
            } catch {
                guard error.kind != .storage else { throw error }
                let message = error.fields.isEmpty ? error.message : error.fields.values.sorted().joined(separator: " ")
                return .html(try list(context, notice: .error(message)), status: 422)
            }
        }
        router.page(.get, "/dashboards/{id}", access: .viewer, identity: identity) { request, context in
            .html(try view(try dashboard(request), context: context, notice: Self.notice(request)))
        }
        router.page(.get, "/dashboards/{id}/edit", access: .admin, identity: identity) { request, context in
            .html(try editor(try dashboard(request), context: context, notice: Self.notice(request)))
        }
        router.page(.post, "/dashboards/{id}", access: .admin, identity: identity) { request, context in
            let current = try dashboard(request)
            let form = FormBody(request)
            var definition = current.definition
            definition.name = form["name"] ?? ""
            definition.description = form["description"] ?? ""
            return try save(definition, over: current, request: request, context: context, done: "details")
        }
        router.page(.post, "/dashboards/{id}/delete", access: .admin, identity: identity) { request, _ in
            let current = try dashboard(request)
            try dashboards.delete(id: current.id)
            record("dashboard.delete", current.name, request)
            return .redirect(to: "/dashboards?done=deleted")
        }
        router.page(.post, "/dashboards/{id}/widgets", access: .admin, identity: identity) { request, context in
            let current = try dashboard(request)
            let submitted = WidgetForm(FormBody(request))
            var widgets = Self.widgetJSON(current)
            widgets.append(submitted.json)
            return try save(
                widgets: widgets, over: current, request: request, context: context,
                failed: (widgets.count - 1, submitted))
        }
        router.page(.post, "/dashboards/{id}/widgets/{widget}", access: .admin, identity: identity) {
            request, context in
            let current = try dashboard(request)
            let index = try widgetIndex(request, in: current)
            let form = FormBody(request)
            var widgets = Self.widgetJSON(current)
            switch form["action"] ?? "save" {
            case "up" where index > 0:
                widgets.swapAt(index, index - 1)
            case "down" where index < widgets.count - 1:
                widgets.swapAt(index, index + 1)
            case "remove":
                widgets.remove(at: index)
            case "save":
                var submitted = WidgetForm(form)
                submitted.id = current.widgets[index].id
                widgets[index] = submitted.json
                return try save(
                    widgets: widgets, over: current, request: request, context: context, failed: (index, submitted))
            default:
                break
            }
            return try save(widgets: widgets, over: current, request: request, context: context, failed: nil)
        }
    }

    // MARK: Pages

    private func list(_ context: PageContext, notice: Layout.Notice?) throws -> HTML {
        let all = try dashboards.list()
        let cards = all.map { dashboard -> HTML in
            let kinds = Set(dashboard.widgets.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            return """
                <a class="card dashboard-card" href="/dashboards/\(dashboard.id)">
                  <h2>\(dashboard.name)</h2>
                  <p class="muted">\(dashboard.description.isEmpty ? "No description." : dashboard.description)</p>
                  <p class="small muted">\(dashboard.widgets.count) widgets\(kinds.isEmpty ? "" : " · " + kinds)</p>
                </a>
                """
        }.joined
        let create: HTML =
            context.isAdmin
            ? """
            <form class="row card" method="post" action="/dashboards">\(context.csrfField)
              <label>New dashboard <input name="name" required maxlength="100" placeholder="Name"></label>
              <label>Description <input name="description" maxlength="1000"></label>
              <button type="submit">Create</button>
            </form>
            """ : .empty
        let body: HTML =
            all.isEmpty
            ? """
            <div class="card empty"><h2>No dashboards yet</h2>
            <p>\(context.isAdmin ? Self.emptyForAdmins : Self.emptyForViewers)</p></div>
            """
            : "<div class=\"grid\">\(cards)</div>"
        return Layout.page(
            title: "Dashboards", context: context, section: .dashboards, notice: notice,
            content: """
                <div class="page-head">
                  <div><h1>Dashboards</h1><p class="muted">Charts of your synced records.</p></div>
                </div>
                \(body)
                \(create)
                """)
    }

    private func view(_ dashboard: Dashboard, context: PageContext, notice: Layout.Notice?) throws -> HTML {
        let results = try dashboards.data(for: dashboard)
        let sources = Dictionary(uniqueKeysWithValues: try sync.sources.list().map { ($0.id, $0) })
        let synced = dashboard.definition.sourceIDs.compactMap { sources[$0]?.lastSyncedAt }.min()
        let syncedText: HTML =
            synced.map { "Data synced \(HTML.time($0))" } ?? "Its sources have not synced yet."
        let tiles = try results.map { data -> HTML in
            let columns = try sync.sources.columns(sourceID: data.widget.sourceID)
            let wide = data.widget.kind == .line || data.widget.kind == .table
            let source = sources[data.widget.sourceID]?.name ?? "a deleted source"
            return """
                <section class="card widget\(wide ? " wide" : "")" aria-label="\(data.widget.title)">
                  <h2><span>\(data.widget.title)</span><span class="small muted">\(source)</span></h2>
                  \(WidgetView.render(data, columns: columns))
                </section>
                """
        }.joined
        let edit: HTML =
            context.isAdmin
            ? "<a class=\"button secondary\" href=\"/dashboards/\(dashboard.id)/edit\">Edit</a>" : .empty
        let grid: HTML =
            results.isEmpty
            ? "<div class=\"card empty\"><h2>This dashboard has no widgets yet</h2></div>"
            : "<div class=\"grid\" data-refresh-seconds=\"300\">\(tiles)</div>"
        return Layout.page(
            title: dashboard.name, context: context, section: .dashboards, notice: notice,
            content: """
                <div class="page-head">
                  <div><h1>\(dashboard.name)</h1><p class="muted">\(dashboard.description) \(syncedText)</p></div>
                  <div class="actions">
                    <a class="button secondary" href="/dashboards/\(dashboard.id)">Refresh</a>\(edit)
                  </div>
                </div>
                \(grid)
                """)
    }

    private func editor(
        _ dashboard: Dashboard, context: PageContext, notice: Layout.Notice?,
        failed: (index: Int, form: WidgetForm, problems: [String: String])? = nil
    ) throws -> HTML {
        let sources = try sync.sources.list()
        let results = try dashboards.data(for: dashboard)
        var forms: [HTML] = []
        for (index, widget) in dashboard.widgets.enumerated() {
            let form = failed?.index == index ? failed!.form : WidgetForm(widget)
            let preview =
                index < results.count
                ? WidgetView.render(results[index], columns: try sync.sources.columns(sourceID: widget.sourceID))
                : HTML.empty
            forms.append(
                """
                <section class="card widget-editor" id="widget-\(widget.id)">
                  <div class="editor-row">
                    <div>\(preview)</div>
                    <div>\(widgetForm(
                        form, sources: sources, context: context,
                        action: "/dashboards/\(dashboard.id)/widgets/\(widget.id)",
                        problems: failed?.index == index ? failed!.problems : [:], existing: true))</div>
                  </div>
                </section>
                """)
        }
        let adding = failed.map { $0.index >= dashboard.widgets.count } ?? false
        let newForm = adding ? failed!.form : WidgetForm()
        return Layout.page(
            title: "Edit \(dashboard.name)", context: context, section: .dashboards, notice: notice,
            content: """
                <div class="page-head">
                  <div>
                    <h1>Edit \(dashboard.name)</h1>
                    <p class="muted">Each widget shows its chart beside its settings.</p>
                  </div>
                  <div class="actions"><a class="button" href="/dashboards/\(dashboard.id)">View dashboard</a></div>
                </div>
                <form class="card row" method="post" action="/dashboards/\(dashboard.id)">\(context.csrfField)
                  <label>Name <input name="name" required maxlength="100" value="\(dashboard.name)"></label>
                  <label>Description
                    <input name="description" maxlength="1000" value="\(dashboard.description)"></label>
                  <button type="submit" class="secondary">Save details</button>
                </form>
                \(forms)
                <section class="card"><h2>Add a widget</h2>
                \(widgetForm(
                    newForm, sources: sources, context: context, action: "/dashboards/\(dashboard.id)/widgets",
                    problems: adding ? failed!.problems : [:], existing: false))
                </section>
                <form class="card row" method="post" action="/dashboards/\(dashboard.id)/delete"
                  data-confirm="Delete this dashboard?">
                  \(context.csrfField)<button type="submit" class="danger">Delete dashboard</button>
                </form>
                """)
    }

    private func widgetForm(
        _ form: WidgetForm, sources: [Source], context: PageContext, action: String, problems: [String: String],
        existing: Bool
    ) -> HTML {
        let prefix = "widget-\(form.id.isEmpty ? "new" : form.id)"
        func error(_ key: String) -> String? {
            problems.first { $0.key == key || $0.key.hasPrefix(key + ".") || $0.key.hasPrefix(key + "[") }?.value
        }
        func field(
            _ label: String, _ name: String, _ value: String, hint: String? = nil, error key: String? = nil,
            attributes: HTML = .empty
        ) -> HTML {
            FormField(
                label: label, name: name, value: value, hint: hint, error: key.flatMap(error), id: "\(prefix)-\(name)",
                required: name == "title", attributes: attributes
            ).html
        }
        let fieldList: HTML = " list=\"\(prefix)-fields\""
        let numeric: HTML = " inputmode=\"numeric\""
        func select(
            _ label: String, _ name: String, _ choices: [(String, String)], _ selected: String, error key: String?
        ) -> HTML {
            let message: HTML = key.flatMap(error).map { "<span class=\"field-error\">\($0)</span>" } ?? .empty
            let options = FormField.options(choices.map { (value: $0.0, label: $0.1) }, selected: selected)
            return "<label>\(label) <select name=\"\(name)\">\(options)</select>\(message)</label>"
        }
        func plain(_ values: [String]) -> [(String, String)] { values.map { ($0, $0) } }

        let columns = Int64(form.sourceID).flatMap { try? sync.sources.columns(sourceID: $0) } ?? []
        let suggestions = columns.map { "<option value=\"\($0.field)\">\($0.type.rawValue)</option>" as HTML }.joined
        let buckets = Dashboards.TimeBucket.allCases.map(\.rawValue)
        let sourceChoices = sources.map { (String($0.id), $0.name) }
        let orders = [
            ("value-desc", "Largest first"), ("value-asc", "Smallest first"), ("label-asc", "A to Z"),
            ("label-desc", "Z to A"),
        ]
        let moves: HTML =
            existing
            ? """
            <div class="actions">
              <button type="submit" name="action" value="up" class="secondary" formnovalidate>Move up</button>
              <button type="submit" name="action" value="down" class="secondary" formnovalidate>Move down</button>
              <button type="submit" name="action" value="remove" class="danger" formnovalidate>Remove</button>
            </div>
            """ : .empty
        let summary: HTML =
            problems.isEmpty
            ? .empty : "<p class=\"notice notice-error\" role=\"alert\">Fix the fields marked below.</p>"
        let filterHint = "one per line: field:op:value (eq, ne, gt, gte, lt, lte, contains, prefix) or field:null"
        let filterError: HTML = error("filters").map { "<span class=\"field-error\">\($0)</span>" } ?? .empty
        return """
            <form class="stack" method="post" action="\(action)">\(context.csrfField)
              <datalist id="\(prefix)-fields">\(suggestions)</datalist>
              \(summary)
              <div class="fields">
                \(field("Title", "title", form.title, error: "title"))
                \(select("Kind", "kind", plain(WidgetKind.allCases.map(\.rawValue)), form.kind, error: "kind"))
                \(select("Source", "source", sourceChoices, form.sourceID, error: "sourceId"))
                \(select("Measure", "aggregate", plain(Aggregate.allCases.map(\.rawValue)), form.aggregate, error: nil))
                \(field("Of field", "metricField", form.metricField, hint: "numeric; not for count", error: "metric",
                    attributes: fieldList))
                \(field("Group by", "groupBy", form.groupBy, hint: "bar, pie, donut, table", error: "groupBy",
                    attributes: fieldList))
                \(field("Time field", "timeField", form.timeField, hint: "line, number", error: "time",
                    attributes: fieldList))
                \(select("Bucket", "bucket", plain(buckets), form.bucket, error: nil))
                \(field("Last buckets", "last", form.last, attributes: numeric))
                \(select("Order", "sort", orders, form.sort, error: "sort"))
                \(field("Top", "limit", form.limit, error: "limit", attributes: numeric))
                \(field("Columns", "columns", form.columns, hint: "a table of records: field, field", error: "columns"))
              </div>
              <label>Filters <textarea name="filters" rows="2" class="code">\(form.filters)</textarea>
                <span class="hint">\(filterHint)</span>\(filterError)</label>
              <div class="actions">
                <button type="submit" name="action" value="save">\(existing ? "Save widget" : "Add widget")</button>
              </div>
              \(moves)
            </form>
            """
    }

    // MARK: Changes

    private static func widgetJSON(_ dashboard: Dashboard) -> [JSONValue] {
        guard case .object(let members) = dashboard.definition.json, case .array(let widgets)? = members["widgets"]
        else {
            return []
        }
        return widgets
    }

    private func save(
        widgets: [JSONValue], over current: Dashboard, request: Request, context: PageContext,
        failed: (Int, WidgetForm)?
    ) throws -> Response {
        let json = JSONValue.object([
            "name": .string(current.name), "description": .string(current.description), "widgets": .array(widgets),
        ])
        let definition: DashboardDefinition
        do throws(DashboardError) {
            definition = try DashboardDefinition(json: json)
        } catch {
            guard let (index, form) = failed else { throw error }
            let prefix = "widgets[\(index)]."
            var problems: [String: String] = [:]
            for (key, message) in error.fields where key.hasPrefix(prefix) {
                problems[String(key.dropFirst(prefix.count))] = message
            }
            if problems.isEmpty { problems["title"] = error.message }
            return .html(
                try editor(
                    current, context: context, notice: .error("The widget was not saved."),
                    failed: (index, form, problems)),
                status: 422)
        }
        return try save(definition, over: current, request: request, context: context, done: "widgets")
    }

    private func save(
        _ definition: DashboardDefinition, over current: Dashboard, request: Request, context: PageContext,
        done: String
    ) throws -> Response {
        do throws(DashboardError) {
            try dashboards.validate(definition)
            _ = try dashboards.update(id: current.id, to: definition)
        } catch {
            guard error.kind != .storage else { throw error }
            let problems = error.fields.isEmpty ? ["title": error.message] : error.fields
            let message = problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            return .html(try editor(current, context: context, notice: .error(message)), status: 422)
        }
        record("dashboard.update", definition.name, request)
        return .redirect(to: "/dashboards/\(current.id)/edit?done=\(done)")
    }

    private func record(_ action: String, _ name: String, _ request: Request) {
        audit.record(
            AuditEvent(
                actor: request.principal?.user.username ?? "anonymous", action: action, target: "dashboard:\(name)",
                outcome: .success, ip: request.client.address.description, userAgent: request.client.userAgent))
    }

    private func dashboard(_ request: Request) throws -> Dashboard {
        guard let id = Int64(try request.parameter("id")), id > 0, let dashboard = try dashboards.find(id: id) else {
            throw HTTPError.notFound("No such dashboard.")
        }
        return dashboard
    }

    private func widgetIndex(_ request: Request, in dashboard: Dashboard) throws -> Int {
        let id = try request.parameter("widget")
        guard let index = dashboard.widgets.firstIndex(where: { $0.id == id }) else {
            throw HTTPError.notFound("No such widget.")
        }
        return index
    }

    private static let emptyForAdmins = "Create one below, then add charts of your sources' records."
    private static let emptyForViewers = "An admin has not made any dashboards yet."

    private static func notice(_ request: Request) -> Layout.Notice? {
        switch request.query["done"] {
        case "deleted": .success("The dashboard was deleted.")
        case "details": .success("The dashboard was saved.")
        case "widgets": .success("The widgets were saved.")
        default: nil
        }
    }
}
