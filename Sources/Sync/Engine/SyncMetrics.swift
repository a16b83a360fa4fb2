import Core

/// The sync engine's metrics on the process's registry.
struct SyncMetrics: Sendable {
    let runs: Counter
    let records: Counter
    let duration: Histogram

    init(registry: MetricsRegistry) {
        runs = registry.counter("syncline_sync_runs_total", help: "Sync runs ended, by outcome.", labels: ["outcome"])
        records = registry.counter("syncline_sync_records_total", help: "Records read by sync runs.")
        duration = registry.histogram(
            "syncline_sync_duration_seconds", help: "How long sync runs took, by outcome.", labels: ["outcome"],
            buckets: [1, 5, 15, 60, 300, 900, 3600])
    }

    func finished(_ status: SyncRunStatus, records: Int64, seconds: Double) {
        runs.increment([status.rawValue])
        duration.observe(seconds, [status.rawValue])
    }
}
