import Foundation
import Storage

/// The persistent queue of sync runs, shared by every instance on the same database.
///
/// A worker claims the oldest queued run, or a running one whose lease has expired (its
/// instance died), and holds it under a lease it renews. On PostgreSQL the claim locks with
/// `FOR UPDATE SKIP LOCKED`, so instances never take the same run; on SQLite the single writer
/// serializes claims. A partial unique index keeps at most one queued or running run per source.
public struct SyncQueue: Sendable {
    private let database: any Database

    /// Creates a queue over `database`.
    public init(database: any Database) {
        self.database = database
    }

    /// Queues a run of `sourceID`; throws a conflict naming the active run when one is queued
    /// or running already.
    public func enqueue(
        sourceID: Int64, trigger: SyncTrigger, requestedBy: String, now: Date = Date()
    ) throws -> SyncRun {
        try database.transaction { connection in
            guard try connection.queryOne("SELECT 1 FROM sources WHERE id = $1", [.integer(sourceID)]) != nil else {
                throw SyncError(.notFound, "No such source.")
            }
            if let active = try connection.queryOne(
                "SELECT id FROM sync_runs WHERE source_id = $1 AND status IN ('queued', 'running')",
                [.integer(sourceID)])
            {
                throw SyncError(.conflict, "Sync run \(try active.int(0)) of this source is queued or running.")
            }
            let row = try connection.queryOne(
                """
                INSERT INTO sync_runs (source_id, status, trigger, requested_by, queued_at, phase)
                VALUES ($1, 'queued', $2, $3, $4, 'queued') RETURNING \(SyncRun.columns)
                """, [.integer(sourceID), .text(trigger.rawValue), .text(requestedBy), .timestamp(now)])
            return try SyncRun(row: row!)
        }
    }

    /// Takes the oldest claimable run for `owner` under a lease of `lease`, or returns nil.
    public func claim(owner: String, lease: Duration, now: Date = Date()) throws -> SyncRun? {
        let lock = database.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try database.transaction { connection in
            try connection.queryOne(
                """
                UPDATE sync_runs SET status = 'running', phase = 'starting', lease_owner = $1,
                    lease_expires_at = $2, started_at = COALESCE(started_at, $3), attempts = attempts + 1
                WHERE id = (SELECT id FROM sync_runs
                    WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < $3)
                    ORDER BY id LIMIT 1\(lock))
                RETURNING \(SyncRun.columns)
                """, [.text(owner), .timestamp(now.addingTimeInterval(lease.seconds)), .timestamp(now)]
            ).map(SyncRun.init)
        }
    }

    /// Extends `owner`'s lease on run `id`; returns whether the lease is still held and whether
    /// an admin asked to cancel the run.
    public func renew(
        id: Int64, owner: String, lease: Duration, now: Date = Date()
    ) throws -> (held: Bool, cancelRequested: Bool) {
        try database.write { connection in
            guard
                let row = try connection.queryOne(
                    """
                    UPDATE sync_runs SET lease_expires_at = $1
                    WHERE id = $2 AND lease_owner = $3 AND status = 'running' RETURNING cancel_requested
                    """, [.timestamp(now.addingTimeInterval(lease.seconds)), .integer(id), .text(owner)])
            else { return (false, false) }
            return (true, try row.bool(0))
        }
    }

    /// Asks to cancel run `id`: a queued run ends at once, a running one at its next batch.
    public func requestCancel(id: Int64, now: Date = Date()) throws -> SyncRun {
        try database.transaction { connection in
            guard
                let run = try connection.queryOne(
                    "SELECT \(SyncRun.columns) FROM sync_runs WHERE id = $1", [.integer(id)]
                ).map(SyncRun.init)
            else { throw SyncError(.notFound, "No such sync run.") }
            switch run.status {
            case .queued:
                return try SyncRun(
                    row: try connection.queryOne(
                        """
                        UPDATE sync_runs SET status = 'cancelled', phase = 'finished', cancel_requested = $1,
                            finished_at = $2 WHERE id = $3 RETURNING \(SyncRun.columns)
                        """, [.bool(true), .timestamp(now), .integer(id)])!)
            case .running:
                return try SyncRun(
                    row: try connection.queryOne(
                        "UPDATE sync_runs SET cancel_requested = $1 WHERE id = $2 RETURNING \(SyncRun.columns)",
                        [.bool(true), .integer(id)])!)
            case .succeeded, .failed, .cancelled:
                throw SyncError(.conflict, "The sync run has already ended.")
            }
        }
    }

    /// The run with `id`, or nil.
    public func find(id: Int64) throws -> SyncRun? {
        try database.read { connection in
            try connection.queryOne("SELECT \(SyncRun.columns) FROM sync_runs WHERE id = $1", [.integer(id)])
                .map(SyncRun.init)
        }
    }

    /// Runs newest first, of one source or all, with ids below `before` when given.
    public func list(sourceID: Int64? = nil, before: Int64? = nil, limit: Int = 50) throws -> [SyncRun] {
        var conditions: [String] = []
        var parameters: [DatabaseValue] = []
        if let sourceID {
            parameters.append(.integer(sourceID))
            conditions.append("source_id = $\(parameters.count)")
        }
        if let before {
            parameters.append(.integer(before))
            conditions.append("id < $\(parameters.count)")
        }
        parameters.append(.integer(Int64(limit)))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.read { connection in
            try connection.query(
                "SELECT \(SyncRun.columns) FROM sync_runs \(filter) ORDER BY id DESC LIMIT $\(parameters.count)",
                parameters
            ).map(SyncRun.init)
        }
    }

    /// The number of queued runs.
    public func depth() throws -> Int64 {
        try database.read { connection in
            try connection.queryOne("SELECT count(*) FROM sync_runs WHERE status = 'queued'")?.int(0) ?? 0
        }
    }
}

extension SyncQueue {
    /// Takes run `runID` for `owner` when it is still queued; nil when a worker has it already.
    public func claim(runID: Int64, owner: String, lease: Duration, now: Date = Date()) throws -> SyncRun? {
        try database.transaction { connection in
            try connection.queryOne(
                """
                UPDATE sync_runs SET status = 'running', phase = 'starting', lease_owner = $1,
                    lease_expires_at = $2, started_at = COALESCE(started_at, $3), attempts = attempts + 1
                WHERE id = $4 AND status = 'queued' RETURNING \(SyncRun.columns)
                """,
                [.text(owner), .timestamp(now.addingTimeInterval(lease.seconds)), .timestamp(now), .integer(runID)]
            ).map(SyncRun.init)
        }
    }
}

extension SyncQueue {
    /// The newest run of each source that has one, by source id.
    public func latestRuns() throws -> [Int64: SyncRun] {
        try database.read { connection in
            let runs = try connection.query(
                """
                SELECT \(SyncRun.columns) FROM sync_runs
                WHERE id IN (SELECT max(id) FROM sync_runs GROUP BY source_id)
                """
            ).map(SyncRun.init)
            return Dictionary(uniqueKeysWithValues: runs.map { ($0.sourceID, $0) })
        }
    }
}
