import Audit
import Foundation
import HTTP
import Identity
import Sync

/// The sources pages: the list, one source with its syncs, the form that defines a source, and
/// the data table of its records.
///
/// They keep the API's rules: viewers read, and never see connection details; only admins
/// change sources or start and cancel syncs, each change audited as the API audits it; manual
/// syncs go through the sync service's throttle, as the API's do.
struct SourcePages {
    let identity: IdentityService
    let sync: SyncService
    let audit: any AuditRecorder

    /// Messages for the outcomes that end in a redirect, by the `notice` parameter that carries them.
    private static let notices: [String: Layout.Notice] = [
        "created": .success("Source created. Run a sync to bring in its records."),
        "updated": .success("Changes saved."),
        "deleted": .success("Source deleted, with its records and sync history."),
        "sync-started": .success("Sync started. Its progress shows below."),
        "cancel-requested": .success("Cancellation requested. The sync stops at its next batch."),
    ]

    /// Adds the pages and the forms they post to `router`.
    func register(on router: inout Router) {
        router.page(.get, "/sources", access: .viewer, identity: identity) { request, context in
            let view = SourceListView(
                sources: try sync.sources.list(), latestRuns: try sync.queue.latestRuns(), now: Date())
            return .html(view.render(context: context, notice: Self.notice(request)))
        }
        router.page(.get, "/sources/{id}", access: .viewer, identity: identity) { request, context in
            try show(try source(request), context: context, notice: Self.notice(request))
        }
        router.page(.get, "/sources/{id}/records", access: .viewer, identity: identity) { request, context in
            try recordTable(request, context: context)
        }
        registerForms(on: &router)
        registerActions(on: &router)
    }

    private func registerForms(on router: inout Router) {
        router.page(.get, "/sources/new", access: .admin, identity: identity) { _, context in
            formPage(SourceForm.blank, editing: nil, context: context)
        }
        router.page(.post, "/sources/new", access: .admin, identity: identity) { request, context in
            var form = SourceForm(FormBody(request))
            guard let definition = form.definition() else { return formPage(form, editing: nil, context: context) }
            do {
                let source = try sync.sources.create(definition)
                record("source.create", source: source.name, request: request, context: context)
                return .redirect(to: "/sources/\(source.id)?notice=created")
            } catch let error as SyncError where error.kind == .conflict {
                form.problems["name"] = error.message
                return formPage(form, editing: nil, context: context)
            }
        }
        router.page(.get, "/sources/{id}/edit", access: .admin, identity: identity) { request, context in
            let source = try source(request)
            return formPage(SourceForm(source.definition), editing: source, context: context)
        }
        router.page(.post, "/sources/{id}/edit", access: .admin, identity: identity) { request, context in
            let current = try source(request)
            var form = SourceForm(FormBody(request))
            form.set("kind", current.definition.kind.rawValue)
            let definition = form.definition()
            if let definition, definition.primaryKey != current.definition.primaryKey && current.recordCount > 0 {
                form.problems["primaryKey"] = "The primary key cannot change once records are stored."
            }
            guard let definition, form.problems.isEmpty else {
                return formPage(form, editing: current, context: context)
            }
            do {
                let source = try sync.sources.update(id: current.id, to: definition)
                record("source.update", source: source.name, request: request, context: context)
                return .redirect(to: "/sources/\(source.id)?notice=updated")
            } catch let error as SyncError where error.kind == .conflict {
                form.problems["name"] = error.message
                return formPage(form, editing: current, context: context)
            }
        }
    }

    private func registerActions(on router: inout Router) {
        router.page(.post, "/sources/{id}/delete", access: .admin, identity: identity) { request, context in
            let source = try source(request)
            do {
                try sync.sources.delete(id: source.id)
            } catch let error as SyncError where error.kind == .conflict {
                return try show(source, context: context, notice: .error(error.message), status: 409)
            }
            record("source.delete", source: source.name, request: request, context: context)
            return .redirect(to: "/sources?notice=deleted")
        }
        router.page(.post, "/sources/{id}/test", access: .admin, identity: identity, blocking: true) {
            request, context in
            let source = try source(request)
            let notice: Layout.Notice
            do throws(SyncError) {
                notice = .success("The connection works: " + (try sync.checkConnection(source.definition)))
            } catch {
                notice = .error("The connection failed: " + error.message)
            }
            return try show(source, context: context, notice: notice)
        }
        router.page(.post, "/sources/{id}/discover", access: .admin, identity: identity, blocking: true) {
            request, context in
            let source = try source(request)
            let fields: [DiscoveredField]
            do throws(SyncError) {
                fields = try sync.discover(source)
            } catch {
                return try show(source, context: context, notice: .error("Discovery failed: " + error.message))
            }
            return try show(source, context: context, notice: nil, discovered: fields)
        }
        router.page(.post, "/sources/{id}/sync", access: .admin, identity: identity) { request, context in
            try startSync(try source(request), request: request, context: context)
        }
        router.page(.post, "/sources/{id}/cancel", access: .admin, identity: identity) { request, context in
            let source = try source(request)
            guard let runID = FormBody(request)["run"].flatMap(Int64.init), let run = try sync.queue.find(id: runID),
                run.sourceID == source.id
            else { throw HTTPError.notFound("No such sync run.") }
            do {
                _ = try sync.queue.requestCancel(id: run.id)
            } catch let error as SyncError where error.kind == .conflict {
                return try show(source, context: context, notice: .error(error.message), status: 409)
            }
            record(
                "sync.cancel", source: source.name, request: request, context: context,
                details: ["runId": String(run.id)])
            return .redirect(to: "/sources/\(source.id)?notice=cancel-requested")
        }
    }

    /// Queues a manual sync unless the throttle refuses it (429) or one is active already (409).
    private func startSync(_ source: Source, request: Request, context: PageContext) throws -> Response {
        let requested: ManualSyncRequest
        do {
            requested = try sync.requestManualSync(
                of: source, by: context.username, ip: request.client.address.description,
                userAgent: request.client.userAgent)
        } catch let error as SyncError where error.kind == .conflict {
            return try show(source, context: context, notice: .error(error.message), status: 409)
        }
        switch requested {
        case .queued:
            return .redirect(to: "/sources/\(source.id)?notice=sync-started")
        case .throttled(let seconds):
            let notice = Layout.Notice.error(
                "Too many manual syncs in a short time. Try again in \(SessionPages.duration(seconds)).")
            var response = try show(source, context: context, notice: notice, status: 429)
            response.headers.set("Retry-After", String(seconds))
            return response
        }
    }

    private func recordTable(_ request: Request, context: PageContext) throws -> Response {
        let source = try source(request)
        let path = "/sources/\(source.id)/records"
        let columns = try sync.sources.columns(sourceID: source.id)
        var state = RecordTableState(request.query)
        if let added = RecordTableState.addedFilter(request.query, columns: columns) {
            state.filters.append(added)
            return .redirect(to: state.link(path))
        }
        var page: RecordPage?
        var problems: [String: String] = [:]
        if !columns.isEmpty {
            do {
                page = try sync.records.records(sourceID: source.id, query: try state.recordQuery())
            } catch let error as SyncError where error.kind == .invalidQuery {
                problems = error.fields.isEmpty ? ["query": error.message] : error.fields
            }
        }
        let view = RecordTableView(source: source, columns: columns, state: state, page: page, problems: problems)
        return .html(view.render(context: context), status: problems.isEmpty ? 200 : 422)
    }

    private func show(
        _ source: Source, context: PageContext, notice: Layout.Notice?, discovered: [DiscoveredField]? = nil,
        status: Int = 200
    ) throws -> Response {
        let view = SourceDetailView(
            source: source, runs: try sync.queue.list(sourceID: source.id, limit: 20),
            columns: try sync.sources.columns(sourceID: source.id), discovered: discovered, now: Date())
        return .html(view.render(context: context, notice: notice), status: status)
    }

    /// The form page: 200 for a form to fill in, 422 when it comes back with problems.
    private func formPage(_ form: SourceForm, editing: Source?, context: PageContext) -> Response {
        let action = editing.map { "/sources/\($0.id)/edit" } ?? "/sources/new"
        let title = editing.map { "Edit \($0.name)" } ?? "Add a source"
        let count = form.problems.count
        let elsewhere = form.problems.filter { !SourceForm.inputs.contains($0.key) }.map { " " + $0.value }
        let notice =
            count == 0
            ? nil
            : Layout.Notice.error(
                "The source was not saved: " + (count == 1 ? "one field needs" : "\(count) fields need")
                    + " attention." + elsewhere.sorted().joined())
        let back: HTML = editing.map { " / <a href=\"/sources/\($0.id)\">\($0.name)</a>" } ?? .empty
        let fields = SourceFormView(form: form, editing: editing).render(action: action, context: context)
        let page = Layout.page(
            title: title, context: context, section: .sources, notice: notice,
            content: """
                <p class="small"><a href="/sources">Sources</a>\(back) /</p>
                <div class="page-head"><h1>\(title)</h1></div>
                <section class="card">\(fields)</section>
                """)
        return .html(page, status: count == 0 ? 200 : 422)
    }

    private func source(_ request: Request) throws -> Source {
        guard let id = Int64(try request.parameter("id")), id > 0, let source = try sync.sources.find(id: id) else {
            throw HTTPError.notFound("No such source.")
        }
        return source
    }

    private static func notice(_ request: Request) -> Layout.Notice? {
        request.query["notice"].flatMap { notices[$0] }
    }

    private func record(
        _ action: String, source: String, request: Request, context: PageContext, details: [String: String] = [:]
    ) {
        audit.record(
            AuditEvent(
                actor: context.username, action: action, target: "source:\(source)", outcome: .success,
                ip: request.client.address.description, userAgent: request.client.userAgent, details: details))
    }
}
