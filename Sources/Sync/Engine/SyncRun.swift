import Foundation
import Storage

/// Where a sync run is in its life.
public enum SyncRunStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting for a worker.
    case queued
    /// A worker holds its lease and reads.
    case running
    /// Finished; every record read is stored.
    case succeeded
    /// Stopped by an error; ``SyncRun/error`` says which.
    case failed
    /// Stopped by an admin.
    case cancelled

    /// Whether the run has ended.
    public var isFinished: Bool { self != .queued && self != .running }
}

/// What started a run.
public enum SyncTrigger: String, Sendable, Hashable, CaseIterable, Codable {
    /// An admin, through the API or the command line.
    case manual
    /// The source's schedule.
    case schedule
}

/// One sync of one source: its progress while it runs and its outcome after.
public struct SyncRun: Sendable, Hashable {
    /// The run's id.
    public let id: Int64
    /// The source it syncs.
    public let sourceID: Int64
    /// Where the run is.
    public var status: SyncRunStatus
    /// What started it.
    public let trigger: SyncTrigger
    /// The admin who asked for it, or `scheduler`.
    public let requestedBy: String
    /// When it was queued.
    public let queuedAt: Date
    /// When a worker first took it.
    public var startedAt: Date?
    /// When it ended.
    public var finishedAt: Date?
    /// The instance holding the run while it runs.
    public var leaseOwner: String?
    /// When the lease runs out unless renewed; another instance may take the run over after it.
    public var leaseExpiresAt: Date?
    /// How many times a worker has taken the run (more than one after a crash or a restart).
    public var attempts: Int
    /// Whether an admin asked to cancel it.
    public var cancelRequested: Bool
    /// What the run is doing: `queued`, `reading`, `promoting`, `finished`.
    public var phase: String
    /// Where the run stands in its source, for resuming.
    public var checkpoint: SyncCheckpoint?
    /// The highest cursor value read so far, committed to the source when the run succeeds.
    public var highestCursor: String?
    /// Records read from the source so far.
    public var recordsRead: Int64
    /// Records inserted or changed so far.
    public var recordsWritten: Int64
    /// Batches (pages) committed so far.
    public var pages: Int64
    /// Why the run failed, with any secret redacted.
    public var error: String?

    /// Seconds since the run started, up to its end.
    public func elapsedSeconds(now: Date = Date()) -> Double? {
        startedAt.map { (finishedAt ?? now).timeIntervalSince($0) }
    }

    /// Records read per second over the run so far.
    public func recordsPerSecond(now: Date = Date()) -> Double? {
        guard let elapsed = elapsedSeconds(now: now), elapsed > 0 else { return nil }
        return Double(recordsRead) / elapsed
    }

    static let columns = """
        id, source_id, status, trigger, requested_by, queued_at, started_at, finished_at, lease_owner, \
        lease_expires_at, attempts, cancel_requested, phase, checkpoint, records_read, records_written, pages, error, \
        highest_cursor
        """

    init(row: Row) throws {
        id = try row.int(0)
        sourceID = try row.int(1)
        status = SyncRunStatus(rawValue: try row.string(2)) ?? .failed
        trigger = SyncTrigger(rawValue: try row.string(3)) ?? .manual
        requestedBy = try row.string(4)
        queuedAt = try row.date(5)
        startedAt = try row.optionalDate(6)
        finishedAt = try row.optionalDate(7)
        leaseOwner = try row.optionalString(8)
        leaseExpiresAt = try row.optionalDate(9)
        attempts = Int(try row.int(10))
        cancelRequested = try row.bool(11)
        phase = try row.string(12)
        checkpoint = try row.optionalString(13).flatMap {
            try? JSONDecoder().decode(SyncCheckpoint.self, from: Data($0.utf8))
        }
        recordsRead = try row.int(14)
        recordsWritten = try row.int(15)
        pages = try row.int(16)
        error = try row.optionalString(17)
        highestCursor = try row.optionalString(18)
    }
}
