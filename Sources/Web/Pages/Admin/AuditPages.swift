import Audit
import HTTP
import Identity

/// `/audit`: the audit log for admins, filtered, newest first, paged by entry id, with a link to
/// the same entries as CSV.
struct AuditPages {
    let identity: IdentityService
    let reader: AuditReader

    func register(on router: inout Router) {
        router.page(.get, "/audit", access: .admin, identity: identity) { request, context in
            let form = AuditFilterForm(request.query)
            guard form.errors.isEmpty else {
                return .html(
                    page(context, form: form, entries: nil, notice: .error("Some filters could not be read.")),
                    status: 422)
            }
            let entries = try reader.page(AuditQuery(filter: form.filter, before: form.before, limit: form.limit))
            return .html(page(context, form: form, entries: entries))
        }
    }

    /// The filters, then the entries (nil when the filters are malformed) and the pager.
    private func page(
        _ context: PageContext, form: AuditFilterForm, entries: AuditPage?, notice: Layout.Notice? = nil
    ) -> HTML {
        let results: HTML
        let export: HTML
        if let entries {
            results = self.results(entries, form: form)
            export = """
                <div class="actions"><a class="button secondary" href="/api/v1/audit.csv\(form.query(paging: false))" \
                download>Export CSV</a></div>
                """
        } else {
            let problems = ["before", "limit"].compactMap { form.errors[$0] }.map { "<p>\($0)</p>" as HTML }
            results = "<div class=\"card empty\"><p>Correct the filters to see entries.</p>\(problems)</div>"
            export = .empty
        }
        return Layout.page(
            title: "Audit log", context: context, section: .audit, notice: notice,
            content: """
                <div class="page-head">
                  <div>
                    <h1>Audit log</h1>
                    <p class="muted">Who did what, and how it ended. Newest first; times in UTC.</p>
                  </div>
                  \(export)
                </div>
                \(filters(form))
                \(results)
                """)
    }

    /// The filter form, each field showing what is asked for and, if it could not be read, why.
    private func filters(_ form: AuditFilterForm) -> HTML {
        let filter = form.filter
        let actor = FormField(
            label: "Actor", name: "actor", value: filter.actor ?? "", hint: "A username, anonymous or system.",
            required: false)
        let action = FormField(
            label: "Action", name: "action", value: form.action,
            hint: "Exact, or a prefix ending in a dot, such as auth.", required: false)
        let target = FormField(
            label: "Target", name: "target", value: filter.target ?? "", hint: "A user, route or source.",
            required: false)
        let from = FormField(
            label: "From (UTC)", name: "from", type: "datetime-local", value: AuditFilterForm.inputValue(filter.from),
            hint: "Included.", error: form.errors["from"], required: false, attributes: " step=\"1\"")
        let to = FormField(
            label: "To (UTC)", name: "to", type: "datetime-local", value: AuditFilterForm.inputValue(filter.to),
            hint: "Not included.", error: form.errors["to"], required: false, attributes: " step=\"1\"")
        let outcomes = FormField.options(
            [("", "Any")] + AuditOutcome.allCases.map { ($0.rawValue, $0.rawValue.capitalized) },
            selected: filter.outcome?.rawValue ?? "")
        var outcome: HTML = "<label for=\"outcome\">Outcome <select id=\"outcome\" name=\"outcome\""
        if let error = form.errors["outcome"] {
            outcome += """
                 aria-invalid="true" aria-describedby="outcome-error">\(outcomes)</select>\
                <span class="field-error" id="outcome-error">\(error)</span></label>
                """
        } else {
            outcome += ">\(outcomes)</select></label>"
        }
        let limit: HTML =
            form.limit == AuditFilterForm.defaultLimit
            ? .empty : "<input type=\"hidden\" name=\"limit\" value=\"\(form.limit)\">"
        return """
            <section class="card" aria-label="Filters">
              <form class="stack" method="get" action="/audit">
                <div class="fields">
                  \(actor.html)
                  \(action.html)
                  \(outcome)
                  \(target.html)
                  \(from.html)
                  \(to.html)
                </div>
                \(limit)
                <div><button type="submit">Filter</button> <a class="button secondary" href="/audit">Clear</a></div>
              </form>
            </section>
            """
    }

    /// The table of `entries` and the links to older and newest entries.
    private func results(_ entries: AuditPage, form: AuditFilterForm) -> HTML {
        guard !entries.entries.isEmpty else {
            let message = form.before == nil ? "No entries match these filters." : "No older entries match."
            return "<div class=\"card empty\"><h2>Nothing here</h2><p>\(message)</p></div>"
        }
        let rows = entries.entries.map(Self.row)
        let newest: HTML =
            form.before == nil ? "<span></span>" : "<a href=\"/audit\(form.query())\">Newest entries</a>"
        let older: HTML =
            entries.nextBefore.map { next in
                let link = "/audit" + form.query(before: next)
                return "<a class=\"button secondary\" href=\"\(link)\" rel=\"next\">Older entries</a>"
            } ?? .empty
        return """
            <section class="card" aria-label="Entries">
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr><th>Time</th><th>Actor</th><th>Action</th><th>Target</th><th>Outcome</th>
                    <th class="hide-narrow">IP</th><th>Details</th></tr>
                  </thead>
                  <tbody>
                  \(rows)
                  </tbody>
                </table>
              </div>
              <nav class="pager" aria-label="Pages">\(newest)\(older)</nav>
            </section>
            """
    }

    private static func row(_ entry: AuditEntry) -> HTML {
        let event = entry.event
        let details = event.details.keys.sorted().map { key -> HTML in
            "<div>\(key)=\(event.details[key] ?? "")</div>"
        }
        return """
            <tr id="entry-\(entry.id)">
              <td>\(HTML.time(event.occurredAt))</td>
              <td>\(event.actor)</td>
              <td>\(event.action)</td>
              <td>\(event.target)</td>
              <td><span class="badge \(badgeClass(event.outcome))">\(event.outcome.rawValue)</span></td>
              <td class="hide-narrow" title="\(event.userAgent)">\(event.ip)</td>
              <td class="small">\(details)</td>
            </tr>
            """
    }

    /// The stylesheet's badge colours: green for success, red for failure, amber for denied.
    private static func badgeClass(_ outcome: AuditOutcome) -> String {
        switch outcome {
        case .success: "succeeded"
        case .failure: "failed"
        case .denied: "cancelled"
        }
    }
}
