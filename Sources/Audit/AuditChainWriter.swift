import Core
import Foundation
import Storage

/// Appends entries to the chain and prunes its oldest ones, each in one transaction that holds
/// the head row.
struct AuditChainWriter: Sendable {
    let database: any Database
    let key: [UInt8]

    /// The largest number of rows one INSERT carries; batches are cut into power-of-two chunks
    /// of at most this size, so only eight statement texts exist and each stays prepared.
    static let rowsPerInsert = 128

    private static let columnCount = 11

    /// Appends `events` in order and returns the ids they were given.
    func append(_ events: ArraySlice<PreparedAuditEvent>) throws -> ClosedRange<Int64> {
        try database.transaction { connection in
            let hasher = AuditChainHasher(key: key)
            var head = try AuditChainHead.lockForWriting(connection, hasher: hasher)
            let firstID = head.lastID + 1
            var values: [DatabaseValue] = []
            values.reserveCapacity(Self.rowsPerInsert * Self.columnCount)
            var chunk = Self.rowsPerInsert
            var remaining = events

            while !remaining.isEmpty {
                while chunk > remaining.count { chunk /= 2 }
                for event in remaining.prefix(chunk) {
                    head.lastID += 1
                    head.lastHash = appendRow(
                        for: event, id: head.lastID, previousHash: head.lastHash, hasher: hasher, to: &values)
                }
                try connection.execute(Self.insertSQL(rows: chunk), values)
                values.removeAll(keepingCapacity: true)
                remaining = remaining.dropFirst(chunk)
            }

            head.seal(hasher: hasher)
            try head.save(to: connection)
            return firstID...head.lastID
        }
    }

    /// Deletes the longest prefix of entries (in id order) older than `cutoff` and moves the
    /// prune anchor to the last one deleted.
    func prune(olderThan cutoff: Date) throws -> AuditPruneResult {
        try database.transaction { connection in
            let hasher = AuditChainHasher(key: key)
            var head = try AuditChainHead.lockForWriting(connection, hasher: hasher)
            let cutoffTime = DatabaseValue.timestamp(AuditTime.date(milliseconds: AuditTime.milliseconds(cutoff)))
            let firstKept = try connection.queryOne(
                "SELECT id FROM audit_events WHERE id > $1 AND occurred_at >= $2 ORDER BY id LIMIT 1",
                [.integer(head.prunedThroughID), cutoffTime])
            let through = try firstKept.map { try $0.int(0) - 1 } ?? head.lastID
            guard through > head.prunedThroughID else {
                return AuditPruneResult(removed: 0, prunedThroughID: head.prunedThroughID)
            }

            guard
                let anchor = try connection.queryOne("SELECT hash FROM audit_events WHERE id = $1", [.integer(through)])
            else {
                throw AuditError(.corruptEntry, message: "audit entry \(through) is missing; run audit verify")
            }
            let removed = try connection.execute(
                "DELETE FROM audit_events WHERE id > $1 AND id <= $2",
                [.integer(head.prunedThroughID), .integer(through)])

            head.prunedThroughID = through
            head.prunedThroughHash = try anchor.string(0)
            head.seal(hasher: hasher)
            try head.save(to: connection)
            return AuditPruneResult(removed: Int64(removed), prunedThroughID: through)
        }
    }

    /// Appends the bound values of one row and returns its hash.
    private func appendRow(
        for prepared: PreparedAuditEvent, id: Int64, previousHash: String, hasher: AuditChainHasher,
        to values: inout [DatabaseValue]
    ) -> String {
        let hash = hasher.entryHash(previousHash: previousHash.utf8, id: id, content: prepared.content)
        values.append(.integer(id))
        values.append(prepared.time)
        values.append(.text(prepared.actor))
        values.append(.text(prepared.action))
        values.append(.text(prepared.target))
        values.append(.text(prepared.outcome.rawValue))
        values.append(.text(prepared.ip))
        values.append(.text(prepared.userAgent))
        values.append(.text(prepared.details))
        values.append(.text(previousHash))
        values.append(.text(hash))
        return hash
    }

    private static let insertStatements: [Int: String] = {
        var statements: [Int: String] = [:]
        var rows = rowsPerInsert
        while rows >= 1 {
            statements[rows] = makeInsertSQL(rows: rows)
            rows /= 2
        }
        return statements
    }()

    private static func insertSQL(rows: Int) -> String {
        insertStatements[rows]!
    }

    private static func makeInsertSQL(rows: Int) -> String {
        var sql =
            "INSERT INTO audit_events (id, occurred_at, actor, action, target, outcome, ip, user_agent, details, "
            + "previous_hash, hash) VALUES "
        for row in 0..<rows {
            let placeholders = (1...columnCount).map { "$\(row * columnCount + $0)" }
            sql += (row == 0 ? "(" : ", (") + placeholders.joined(separator: ", ") + ")"
        }
        return sql
    }
}

/// What one call of ``AuditLog/prune(olderThan:)`` removed.
public struct AuditPruneResult: Sendable, Hashable {
    /// How many entries were deleted.
    public var removed: Int64
    /// The id of the last entry ever pruned; the chain now starts after it.
    public var prunedThroughID: Int64

    /// Creates a result.
    public init(removed: Int64, prunedThroughID: Int64) {
        self.removed = removed
        self.prunedThroughID = prunedThroughID
    }
}
