import Foundation
import Sync

/// The table of every source with its latest run, or an empty state that says what to do first.
struct SourceListView {
    let sources: [Source]
    /// The newest run of each source that has one, by source id.
    let latestRuns: [Int64: SyncRun]
    let now: Date

    /// The whole page for `context`'s user.
    func render(context: PageContext, notice: Layout.Notice?) -> HTML {
        let add: HTML =
            context.isAdmin && !sources.isEmpty
            ? "<div class=\"actions\"><a class=\"button\" href=\"/sources/new\">Add source</a></div>" : .empty
        let summary: HTML =
            sources.isEmpty ? .empty : "<p class=\"muted\">\(DisplayFormat.count(sources.count, "source"))</p>"
        return Layout.page(
            title: "Sources", context: context, section: .sources, notice: notice,
            content: """
                <div class="page-head">
                  <div><h1>Sources</h1>\(summary)</div>
                  \(add)
                </div>
                \(sources.isEmpty ? empty(context: context) : table)
                """)
    }

    private func empty(context: PageContext) -> HTML {
        let next: HTML =
            context.isAdmin
            ? """
            <p>Connect a REST API, a CSV file, or a PostgreSQL or SQLite database, \
            and Syncline keeps a copy of its records.</p>
            <p><a class="button" href="/sources/new">Add your first source</a></p>
            """
            : """
            <p>When an admin connects a system, its records appear here for you to browse.</p>
            """
        return """
            <section class="card empty">
              <h2>No sources yet</h2>
              \(next)
            </section>
            """
    }

    private var table: HTML {
        let rows = sources.map { source -> HTML in
            let definition = source.definition
            let lastSynced: HTML =
                source.lastSyncedAt.map { DisplayFormat.time($0, now: now) } ?? "<span class=\"muted\">never</span>"
            let nextSync: HTML =
                source.nextSyncAt.map { DisplayFormat.time($0, now: now) } ?? "<span class=\"muted\">manual</span>"
            return """
                <tr>
                  <td><a href="/sources/\(source.id)">\(source.name)</a></td>
                  <td class="hide-narrow">\(SourceLabels.kind(definition.kind))</td>
                  <td class="hide-narrow">\(SourceLabels.mode(definition.mode))</td>
                  <td>\(SourceLabels.badge(latestRuns[source.id]))</td>
                  <td class="number">\(DisplayFormat.integer(source.recordCount))</td>
                  <td>\(lastSynced)</td>
                  <td class="hide-narrow">\(nextSync)</td>
                </tr>
                """
        }
        return """
            <div class="card table-wrap">
              <table>
                <thead><tr>
                  <th scope="col">Name</th><th scope="col" class="hide-narrow">Kind</th>
                  <th scope="col" class="hide-narrow">Mode</th><th scope="col">Status</th>
                  <th scope="col" class="number">Records</th><th scope="col">Last synced</th>
                  <th scope="col" class="hide-narrow">Next sync</th>
                </tr></thead>
                <tbody>\(rows)</tbody>
              </table>
            </div>
            """
    }
}
