import Core
import Dispatch
import Foundation
import Storage

/// Queues scheduled runs when their sources fall due.
///
/// Every instance ticks, but each tick runs in one transaction that on PostgreSQL first takes
/// `pg_try_advisory_xact_lock`, so only one instance schedules at a time and another carries on
/// the moment one dies; the source's next time moves on in the same transaction, so a due
/// occurrence is queued exactly once. An occurrence that falls due while the source's previous
/// run is still queued or running is skipped.
final class SyncScheduler: Sendable {
    /// The advisory lock key of the scheduler on PostgreSQL: "SYNCSCHD" in ASCII.
    static let advisoryLockKey: Int64 = 0x5359_4E43_5343_4844

    private let database: any Database
    private let interval: Duration
    private let logger: Logger
    private let queued: @Sendable () -> Void
    private let stopping = RunControl()
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()

    /// Creates a scheduler that ticks every `interval` and calls `queued` after queueing runs.
    init(database: any Database, interval: Duration, logger: Logger, queued: @escaping @Sendable () -> Void) {
        self.database = database
        self.interval = interval
        self.logger = logger
        self.queued = queued
    }

    func start() {
        finished.enter()
        let thread = Thread { [self] in
            while !stopping.shuttingDown {
                do {
                    if try Self.tick(database: database, now: Date()) > 0 { queued() }
                } catch {
                    logger.warning("scheduling failed", ["error": String(describing: error)])
                }
                _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(interval.seconds * 1_000_000_000)))
            }
            finished.leave()
        }
        thread.name = "sync-scheduler"
        thread.start()
    }

    /// Stops ticking and waits for a tick in progress; call only after ``start()``.
    func stop() {
        stopping.shutDown()
        wakeup.signal()
        finished.wait()
    }

    /// Queues a run for every source that is due at `now`; returns how many it queued.
    @discardableResult
    static func tick(database: any Database, now: Date) throws -> Int {
        try database.transaction { connection in
            if connection.dialect == .postgres {
                guard
                    try connection.queryOne("SELECT pg_try_advisory_xact_lock($1)", [.integer(advisoryLockKey)])?
                        .bool(0) == true
                else { return 0 }
            }
            let due = try connection.query(
                "SELECT id, definition FROM sources WHERE next_sync_at <= $1 ORDER BY next_sync_at, id",
                [.timestamp(now)])
            var queued = 0
            for row in due {
                let id = try row.int(0)
                let definition = try? SourceDefinition(jsonText: Array(try row.string(1).utf8))
                let next = definition?.schedule.map { $0.nextRun(after: now) }
                try connection.execute(
                    "UPDATE sources SET next_sync_at = $1 WHERE id = $2", [DatabaseValue(next), .integer(id)])
                guard
                    try connection.queryOne(
                        "SELECT 1 FROM sync_runs WHERE source_id = $1 AND status IN ('queued', 'running')",
                        [.integer(id)])
                        == nil
                else { continue }
                try connection.execute(
                    """
                    INSERT INTO sync_runs (source_id, status, trigger, requested_by, queued_at, phase)
                    VALUES ($1, 'queued', 'schedule', 'scheduler', $2, 'queued')
                    """, [.integer(id), .timestamp(now)])
                queued += 1
            }
            return queued
        }
    }
}
