import Foundation
import Sync

/// The words and badges the source pages use for kinds, modes, schedules and run statuses.
enum SourceLabels {
    /// A kind as people call it: `REST API`, `CSV file`.
    static func kind(_ kind: SourceKind) -> String {
        switch kind {
        case .rest: "REST API"
        case .csv: "CSV file"
        case .postgres: "PostgreSQL"
        case .sqlite: "SQLite file"
        }
    }

    /// A mode as people call it.
    static func mode(_ mode: SyncMode) -> String {
        switch mode {
        case .full: "Full refresh"
        case .incremental: "Incremental"
        }
    }

    /// When a schedule runs: `Every 15 minutes`, `Cron 0 * * * * (UTC)`, `Manual only`.
    static func schedule(_ schedule: SyncSchedule?) -> String {
        switch schedule {
        case nil:
            return "Manual only"
        case .interval(let seconds)?:
            if seconds % 3_600 == 0 { return "Every " + DisplayFormat.count(seconds / 3_600, "hour") }
            if seconds % 60 == 0 { return "Every " + DisplayFormat.count(seconds / 60, "minute") }
            return "Every " + DisplayFormat.count(seconds, "second")
        case .cron(let expression)?:
            return "Cron \(expression.text) (UTC)"
        }
    }

    /// The status badge of a source's latest run, or a plain one before the first run.
    static func badge(_ run: SyncRun?) -> HTML {
        guard let run else { return "<span class=\"badge\">never synced</span>" }
        return badge(run.status)
    }

    /// The badge of a run status, coloured by the stylesheet; a `live` one is the status field the
    /// page's script updates while it follows a run.
    static func badge(_ status: SyncRunStatus, live: Bool = false) -> HTML {
        let field: HTML = live ? " data-field=\"status\"" : .empty
        return "<span class=\"badge \(status.rawValue)\"\(field)>\(status.rawValue)</span>"
    }
}
