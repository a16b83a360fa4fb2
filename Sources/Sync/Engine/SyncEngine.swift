import Audit
import Core
import Foundation
import Storage

/// Runs claimed sync runs: reads the source through its connector, stores each batch with the
/// checkpoint that covers it in one transaction, and ends the run with its outcome.
///
/// A full refresh writes into a staging table that replaces the live one in the final
/// transaction, so readers never see half a sync. An incremental sync upserts into the live
/// table and commits the source's cursor only when the run succeeds; a run resumed after a crash
/// continues from its last checkpoint, and upserting by primary key makes any batch read twice
/// change nothing.
public final class SyncEngine: Sendable {
    private let database: any Database
    private let queue: SyncQueue
    private let sources: SourceStore
    private let environment: SyncEnvironment
    private let audit: any AuditRecorder
    private let metrics: SyncMetrics?
    private let logger: Logger
    /// This instance's name in leases.
    let owner: String
    /// How long a claim holds without renewal; the heartbeat renews it three times as often.
    let lease: Duration

    /// Creates an engine; `owner` names this instance in leases.
    public init(
        database: any Database, environment: SyncEnvironment, audit: any AuditRecorder, metrics: MetricsRegistry?,
        logger: Logger, owner: String, lease: Duration = .seconds(30)
    ) {
        self.database = database
        queue = SyncQueue(database: database)
        sources = SourceStore(database: database)
        self.environment = environment
        self.audit = audit
        self.metrics = metrics.map(SyncMetrics.init)
        self.logger = logger
        self.owner = owner
        self.lease = lease
    }

    /// Claims the next run and executes it; returns false when there was none to claim.
    func runNext(shutdown: RunControl) throws -> Bool {
        guard let run = try queue.claim(owner: owner, lease: lease) else { return false }
        execute(run, shutdown: shutdown)
        return true
    }

    /// Executes a claimed run to its end, or until it is cancelled, loses its lease or the
    /// process stops (then it goes back to the queue and resumes from its checkpoint).
    func execute(_ run: SyncRun, shutdown: RunControl) {
        let logger = logger.with(["runId": String(run.id), "sourceId": String(run.sourceID)])
        let control = RunControl()
        let heartbeat = Heartbeat(interval: .seconds(lease.seconds / 3), control: control) { [queue, owner, lease] in
            let renewal = try queue.renew(id: run.id, owner: owner, lease: lease)
            return (renewal.held, renewal.cancelRequested)
        }
        defer { heartbeat.stop() }
        let stopWatch = ContinuousClock.now
        let secrets = SecretResolver(environment: environment.variables)
        logger.info("sync started", ["attempt": String(run.attempts)])
        do {
            if run.cancelRequested { control.requestCancel() }
            guard let source = try sources.find(id: run.sourceID) else {
                throw SyncError(.notFound, "The source was deleted.")
            }
            let finished = try perform(run, source: source, secrets: secrets, control: control, shutdown: shutdown)
            metrics?.finished(.succeeded, records: finished.recordsWritten, seconds: stopWatch.secondsElapsed)
            logger.info(
                "sync succeeded",
                ["recordsRead": String(finished.recordsRead), "recordsWritten": String(finished.recordsWritten)])
            record(finished, source: source.name, outcome: .success)
        } catch {
            let failure = error as? SyncError ?? SyncError(.storage, "The database failed: \(error)")
            conclude(run, failure: failure, secrets: secrets, control: control, shutdown: shutdown, logger: logger)
            metrics?.finished(
                failure.kind == .cancelled ? .cancelled : .failed, records: 0, seconds: stopWatch.secondsElapsed)
        }
    }

    private func perform(
        _ claimed: SyncRun, source: Source, secrets: SecretResolver, control: RunControl, shutdown: RunControl
    ) throws -> SyncRun {
        let definition = source.definition
        let connector = environment.makeConnector(definition.connection)
        let incremental = definition.mode == .incremental
        var run = claimed
        var checkpoint =
            run.checkpoint
            ?? SyncCheckpoint(
                since: incremental ? CursorValue.since(source.cursor, lookback: definition.cursor?.lookback ?? 0) : nil)
        let restart = !incremental && run.checkpoint?.position == nil
        if restart {
            run.recordsRead = 0
            run.recordsWritten = 0
            run.pages = 0
            checkpoint.position = nil
        }
        var table = try database.transaction { connection in
            let live = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
            guard !incremental else {
                var live = live
                try live.create(on: connection)
                live.copiesBatches = try live.isEmpty(on: connection)
                return live
            }
            var staging =
                restart
                ? try RecordTable.recreate(sourceID: source.id, staging: true, like: live, on: connection)
                : try RecordTable.load(sourceID: source.id, staging: true, on: connection)
            // A resumed refresh continues after its checkpoint: the keys to come are not stored yet.
            staging.copiesBatches = true
            return staging
        }

        let context = environment.context(
            logger: logger.labeled("connector"), cursorField: incremental ? definition.cursor?.field : nil,
            isCancelled: { control.shouldStop || shutdown.shouldStop })
        let keys = RecordKeys(fields: definition.primaryKey)
        let firstOrdinal = run.recordsRead + 1
        let cursorField = incremental ? definition.cursor?.field : nil
        // The connector reads and prepares batches ahead on a thread of its own while this one
        // stores each batch.
        try ReadAhead.read(connector, from: checkpoint, context: context) { batch, recordsBefore throws(SyncError) in
            try PreparedBatch(batch, keys: keys, firstOrdinal: firstOrdinal + recordsBefore, cursorField: cursorField)
        } deliver: { (prepared: PreparedBatch, next: SyncCheckpoint) throws(SyncError) in
            shutdown.pass(to: control)
            try control.check()
            let batch = prepared.batch
            run.highestCursor = CursorValue.later(run.highestCursor, prepared.highestCursor)
            run.recordsRead += Int64(batch.count)
            run.pages += 1
            run.checkpoint = next
            let progress = run
            do {
                run.recordsWritten += Int64(
                    try database.transaction { connection in
                        let mapping = try table.fit(prepared, on: connection)
                        // An incremental batch keeps the source's count of live records with it,
                        // so no run has to count the whole table: every key of the batch is live
                        // after it, and those that were live before it add nothing.
                        let (written, added) = try table.upsert(
                            prepared, mapping: mapping, runID: progress.id, now: Date(), countingNewKeys: incremental,
                            on: connection)
                        if incremental && written > 0 {
                            // Readers see an incremental batch at once, so cached dashboards must not outlive it.
                            try connection.execute(
                                """
                                UPDATE sources SET data_version = data_version + 1, record_count = record_count + $1
                                WHERE id = $2
                                """,
                                [.integer(Int64(added)), .integer(source.id)])
                        }
                        if try self.saveProgress(progress, written: written, on: connection) {
                            control.requestCancel()
                        }
                        return written
                    })
            } catch let error as SyncError {
                throw error
            } catch {
                throw SyncError(.storage, "The database failed while storing a batch: \(error)")
            }
            metrics?.records.increment(by: Double(batch.count))
        }
        shutdown.pass(to: control)
        try control.check()

        let finished = run
        return try database.transaction { connection in
            guard
                try connection.execute(
                    """
                    UPDATE sync_runs SET phase = 'promoting'
                    WHERE id = $1 AND lease_owner = $2 AND status = 'running'
                    """,
                    [.integer(finished.id), .text(owner)]) == 1
            else { throw SyncError(.leaseLost, "Another instance took the run over.") }
            let now = Date()
            let live = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
            if !incremental {
                try RecordTable.promote(
                    table, over: live, marksDeleted: definition.marksDeleted, now: now, on: connection)
            }
            // An incremental run kept the count batch by batch; a full refresh counts its new table.
            let count =
                incremental
                ? try connection.queryOne("SELECT record_count FROM sources WHERE id = $1", [.integer(source.id)])?
                    .int(0) ?? 0
                : try RecordTable.load(sourceID: source.id, staging: false, on: connection).recordCount(on: connection)
            let cursor = incremental ? CursorValue.later(source.cursor, finished.highestCursor) : source.cursor
            try connection.execute(
                """
                UPDATE sources SET cursor = $1, record_count = $2, last_synced_at = $3, data_version = data_version + 1
                WHERE id = $4
                """,
                [DatabaseValue(cursor), .integer(count), .timestamp(now), .integer(source.id)])
            let row = try connection.queryOne(
                """
                UPDATE sync_runs SET status = 'succeeded', phase = 'finished', finished_at = $1, lease_owner = NULL,
                    lease_expires_at = NULL, records_read = $2, records_written = $3, pages = $4
                WHERE id = $5 RETURNING \(SyncRun.columns)
                """,
                [
                    .timestamp(now), .integer(finished.recordsRead), .integer(finished.recordsWritten),
                    .integer(finished.pages), .integer(finished.id),
                ])
            return try SyncRun(row: row!)
        }
    }

    /// Stores the run's progress and checkpoint with the batch, checking the lease is still held;
    /// returns whether an admin has asked to cancel the run.
    private func saveProgress(_ run: SyncRun, written: Int, on connection: any DatabaseConnection) throws -> Bool {
        let checkpoint = run.checkpoint.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }
        let updated = try connection.queryOne(
            """
            UPDATE sync_runs SET phase = 'reading', checkpoint = $1, highest_cursor = $2, records_read = $3,
                records_written = $4, pages = $5, lease_expires_at = $6
            WHERE id = $7 AND lease_owner = $8 AND status = 'running' RETURNING cancel_requested
            """,
            [
                DatabaseValue(checkpoint), DatabaseValue(run.highestCursor), .integer(run.recordsRead),
                .integer(run.recordsWritten + Int64(written)), .integer(run.pages),
                .timestamp(Date().addingTimeInterval(lease.seconds)), .integer(run.id), .text(owner),
            ])
        guard let updated else { throw SyncError(.leaseLost, "Another instance took the run over.") }
        return try updated.bool(0)
    }

    /// Ends a run that did not succeed: cancelled or failed, or back to the queue on shutdown.
    private func conclude(
        _ run: SyncRun, failure: SyncError, secrets: SecretResolver, control: RunControl, shutdown: RunControl,
        logger: Logger
    ) {
        if failure.kind == .leaseLost {
            logger.warning("sync abandoned: another instance took it over after its lease expired")
            return
        }
        let message = secrets.redact(failure.message)
        do {
            if shutdown.shuttingDown && !control.cancelRequested && failure.kind == .cancelled {
                try database.write { connection in
                    try connection.execute(
                        """
                        UPDATE sync_runs SET status = 'queued', phase = 'interrupted', lease_owner = NULL,
                            lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2
                        """, [.integer(run.id), .text(owner)])
                }
                logger.info("sync interrupted by shutdown; it resumes from its checkpoint")
                return
            }
            let status: SyncRunStatus = failure.kind == .cancelled ? .cancelled : .failed
            let ended = try database.transaction { connection in
                if let source = try connection.queryOne(
                    "SELECT definition FROM sources WHERE id = $1", [.integer(run.sourceID)]),
                    let definition = try? SourceDefinition(jsonText: Array(try source.string(0).utf8)),
                    definition.mode == .full
                {
                    try RecordTable.load(sourceID: run.sourceID, staging: true, on: connection).drop(on: connection)
                }
                return try connection.queryOne(
                    """
                    UPDATE sync_runs SET status = $1, phase = 'finished', finished_at = $2, lease_owner = NULL,
                        lease_expires_at = NULL, error = $3
                    WHERE id = $4 AND lease_owner = $5 RETURNING \(SyncRun.columns)
                    """,
                    [
                        .text(status.rawValue), .timestamp(Date()), status == .failed ? .text(message) : .null,
                        .integer(run.id), .text(owner),
                    ]
                ).map(SyncRun.init)
            }
            if status == .failed {
                logger.warning("sync failed", ["kind": failure.kind.rawValue, "error": message])
            } else {
                logger.info("sync cancelled")
            }
            let name = (try? sources.find(id: run.sourceID))?.name ?? String(run.sourceID)
            record(ended ?? run, source: name, outcome: .failure, error: status == .failed ? message : "cancelled")
        } catch {
            logger.error("sync outcome not stored", ["error": secrets.redact(String(describing: error))])
        }
    }

    private func record(_ run: SyncRun, source: String, outcome: AuditOutcome, error: String? = nil) {
        var details = [
            "runId": String(run.id), "trigger": run.trigger.rawValue, "recordsRead": String(run.recordsRead),
            "recordsWritten": String(run.recordsWritten),
        ]
        details["error"] = error
        audit.record(
            AuditEvent(
                actor: run.requestedBy, action: "sync.run", target: "source:\(source)", outcome: outcome,
                details: details))
    }
}

extension RunControl {
    /// Passes the process's shutdown on to a run's own control.
    func pass(to run: RunControl) {
        if shuttingDown { run.shutDown() }
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    var secondsElapsed: Double {
        (ContinuousClock.now - self).seconds
    }
}
