import Core
import Foundation
import Storage

/// The audit log: a bounded in-memory buffer drained by one background writer thread into the
/// hash-chained `audit_events` table.
///
/// `record` returns as soon as the event is queued. The writer takes every waiting event as soon
/// as `batchSize` are waiting, someone flushes or waits for room, or `flushInterval` has passed
/// since the first one arrived, and appends them in transactions of at most `batchSize` events.
/// Nothing is dropped: a full buffer makes `record` wait, and a failed write is retried with
/// back-off while its events stay in memory. Call ``close()`` on shutdown; the writer thread
/// keeps the log alive until then.
public final class AuditLog: AuditRecorder {
    private let writer: AuditChainWriter
    private let dialect: SQLDialect
    private let configuration: AuditLogConfiguration
    private let logger: Logger
    private let state: AuditLogState
    private let metrics: Metrics?

    /// Creates the log and starts its writer thread.
    ///
    /// `key` is the chain's HMAC key (from `SYNCLINE_AUDIT_KEY`); it must stay the same for the
    /// life of the chain, since the head row written under one key fails its MAC under another.
    public init(
        database: any Database, key: [UInt8], configuration: AuditLogConfiguration = AuditLogConfiguration(),
        logger: Logger, metrics: MetricsRegistry? = nil
    ) {
        self.writer = AuditChainWriter(database: database, key: key)
        self.dialect = database.dialect
        self.configuration = configuration
        self.logger = logger.labeled("audit")
        let state = AuditLogState()
        self.state = state
        self.metrics = metrics.map { Metrics(registry: $0, state: state) }
        let thread = Thread { [self] in runWriter() }
        thread.name = "audit-writer"
        thread.start()
    }

    /// Queues `event`, waiting while the buffer is full.
    ///
    /// After ``close()`` the event is written on the caller's thread instead, so late events of
    /// a shutdown are still kept.
    public func record(_ event: AuditEvent) {
        let prepared = PreparedAuditEvent(event, dialect: dialect)
        let condition = state.condition
        condition.lock()
        while state.pending.count + state.inFlight >= configuration.capacity && !state.finished {
            state.waitingRecorders += 1
            // A busy writer wakes the waiting recorders when its batch is done; only an idle one
            // needs telling. Waking each other instead would keep every recorder spinning.
            if state.writerIsWaiting { condition.broadcast() }
            condition.wait()
            state.waitingRecorders -= 1
        }
        guard !state.finished else {
            condition.unlock()
            write([prepared][...])
            return
        }
        state.pending.append(prepared)
        state.recorded += 1
        // The first event starts the writer's flush interval; a full batch ends it early.
        let batchIsReady = state.pending.count >= min(configuration.batchSize, configuration.capacity)
        if state.writerIsWaiting && (state.pending.count == 1 || batchIsReady) {
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Returns once every event recorded before the call is committed (or, during shutdown,
    /// reported as lost after its last attempt).
    public func flush() {
        let condition = state.condition
        condition.lock()
        let target = state.recorded
        state.flushWaiters += 1
        condition.broadcast()
        while state.settled < target && !state.finished {
            condition.wait()
        }
        state.flushWaiters -= 1
        condition.unlock()
    }

    /// Writes everything still buffered and stops the writer thread; later calls return at once.
    public func close() {
        let condition = state.condition
        condition.lock()
        let isFirstClose = !state.stopping
        state.stopping = true
        condition.broadcast()
        while !state.finished {
            condition.wait()
        }
        let written = state.settled
        condition.unlock()
        if isFirstClose { logger.info("audit log closed", ["events": String(written)]) }
    }

    /// Deletes the oldest entries recorded before `cutoff` and moves the chain's anchor past
    /// them, so the rest still verifies.
    ///
    /// Only a prefix in id order goes: the first entry at or after `cutoff` and everything after
    /// it stay, even if a later one is older.
    @discardableResult
    public func prune(olderThan cutoff: Date) throws(AuditError) -> AuditPruneResult {
        let result = try AuditError.mapping { try writer.prune(olderThan: cutoff) }
        logger.info(
            "audit log pruned",
            ["removed": String(result.removed), "pruned_through_id": String(result.prunedThroughID)])
        return result
    }

    // MARK: - Writer thread

    private func runWriter() {
        let condition = state.condition
        let interval = configuration.flushInterval.timeInterval
        var deadline: Date?
        // Every waiting event is taken at once by swapping arrays, so recorders carry on in the
        // emptied array of the previous round, which keeps its capacity: nothing is copied or
        // shifted under the lock.
        var taken: [PreparedAuditEvent] = []
        condition.lock()
        while true {
            if state.pending.isEmpty {
                deadline = nil
                if state.stopping { break }
                state.writerIsWaiting = true
                condition.wait()
                state.writerIsWaiting = false
                continue
            }
            if !isUrgent {
                let due = deadline ?? Date(timeIntervalSinceNow: interval)
                deadline = due
                if Date() < due {
                    state.writerIsWaiting = true
                    _ = condition.wait(until: due)
                    state.writerIsWaiting = false
                    continue
                }
            }
            deadline = nil
            swap(&taken, &state.pending)
            state.inFlight = taken.count
            condition.unlock()

            var start = 0
            while start < taken.count {
                let end = min(start + configuration.batchSize, taken.count)
                write(taken[start..<end])
                condition.lock()
                state.inFlight -= end - start
                state.settled += UInt64(end - start)
                condition.broadcast()
                condition.unlock()
                start = end
            }
            taken.removeAll(keepingCapacity: true)
            condition.lock()
        }
        state.finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the writer should write now rather than wait for the batch to fill; the caller
    /// holds the condition's lock.
    private var isUrgent: Bool {
        state.pending.count >= configuration.batchSize
            || state.pending.count + state.inFlight >= configuration.capacity
            || state.waitingRecorders > 0 || state.flushWaiters > 0 || state.stopping
    }

    /// Appends `batch`, retrying with back-off until it is committed; once the log is stopping,
    /// it gives up after `attemptsAtShutdown` attempts and says so at error level.
    private func write(_ batch: ArraySlice<PreparedAuditEvent>) {
        var delay = configuration.retryDelay
        var attempt = 0
        while true {
            attempt += 1
            do {
                let ids = try writer.append(batch)
                metrics?.written.increment(by: Double(batch.count))
                logWritten(batch, ids: ids)
                return
            } catch {
                metrics?.failures.increment()
                logger.error(
                    "audit write failed; the events stay buffered and are retried",
                    ["error": "\(error)", "events": String(batch.count), "attempt": String(attempt)])
            }
            if isStopping && attempt >= configuration.attemptsAtShutdown {
                metrics?.lost.increment(by: Double(batch.count))
                logger.error(
                    "audit events lost at shutdown after repeated write failures",
                    ["events": String(batch.count), "attempts": String(attempt)])
                return
            }
            Thread.sleep(forTimeInterval: delay.timeInterval)
            delay = min(delay * 2, configuration.maximumRetryDelay)
        }
    }

    private var isStopping: Bool {
        state.condition.lock()
        defer { state.condition.unlock() }
        return state.stopping
    }

    private func logWritten(_ batch: ArraySlice<PreparedAuditEvent>, ids: ClosedRange<Int64>) {
        guard logger.isEnabled(.debug) else { return }
        for (id, prepared) in zip(ids, batch) {
            logger.debug(
                "audit event",
                [
                    "id": String(id), "occurred_at": AuditTime.text(milliseconds: prepared.milliseconds),
                    "actor": prepared.actor, "action": prepared.action, "target": prepared.target,
                    "outcome": prepared.outcome.rawValue, "ip": prepared.ip, "user_agent": prepared.userAgent,
                    "details": prepared.details,
                ])
        }
    }

    /// The log's metric families.
    private struct Metrics: Sendable {
        let written: Counter
        let failures: Counter
        let lost: Counter

        init(registry: MetricsRegistry, state: AuditLogState) {
            written = registry.counter("syncline_audit_events_written_total", help: "Audit events committed.")
            failures = registry.counter(
                "syncline_audit_write_failures_total", help: "Audit batch writes that failed and were retried.")
            lost = registry.counter(
                "syncline_audit_events_lost_total", help: "Audit events given up on at shutdown after write failures.")
            registry.gauge("syncline_audit_buffer_depth", help: "Audit events buffered or being written.") {
                Double(state.depth)
            }
        }
    }
}

/// The buffer and the writer's progress, shared by recording threads and the writer thread.
///
/// `@unchecked Sendable` invariant: every `var` is read and written only while `condition` is
/// locked (`depth` takes the lock itself); `condition` itself is thread-safe.
private final class AuditLogState: @unchecked Sendable {
    let condition = NSCondition()
    /// Events recorded and not yet taken by the writer, oldest first.
    var pending: [PreparedAuditEvent] = []
    /// Events of the batch being written.
    var inFlight = 0
    /// Events ever queued.
    var recorded: UInt64 = 0
    /// Events ever committed or given up on; the first `settled` recorded events are done.
    var settled: UInt64 = 0
    var flushWaiters = 0
    var waitingRecorders = 0
    /// Whether the writer sleeps on `condition`, so that new work must wake it.
    var writerIsWaiting = false
    var stopping = false
    var finished = false

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count + inFlight
    }
}

extension Duration {
    /// The duration in seconds, for Foundation's time APIs.
    var timeInterval: TimeInterval {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
