import Core
import Foundation
import Storage

/// Checks the audit chain: every entry's hash, the links between entries, the prune anchor and
/// the head row, streaming the entries in id order without holding the table.
public struct AuditVerifier: Sendable {
    private let database: any Database
    private let key: [UInt8]

    /// Creates a verifier of the chain in `database` under `key` (`SYNCLINE_AUDIT_KEY`).
    public init(database: any Database, key: [UInt8]) {
        self.database = database
        self.key = key
    }

    /// Walks the chain from the prune anchor to the head and reports the first break, if any.
    ///
    /// Entries appended while the walk runs are left for the next run. When a prune moves the
    /// anchor during the walk, the walk starts over, so a concurrent prune is not reported as a
    /// deletion.
    public func verify() throws(AuditError) -> AuditVerification {
        var attempts = 0
        while true {
            attempts += 1
            let (head, result) = try AuditError.mapping { try database.read { try walk($0) } }
            guard case .broken = result, attempts < 3 else { return result }
            let current = try AuditError.mapping {
                try database.read { try AuditChainHead.load(from: $0, locking: false) }
            }
            guard let head, let current, current.prunedThroughID != head.prunedThroughID else { return result }
        }
    }

    /// One walk: the head it started from and what it found.
    private func walk(_ connection: any DatabaseConnection) throws -> (AuditChainHead?, AuditVerification) {
        guard let head = try AuditChainHead.load(from: connection, locking: false) else {
            let first = try connection.queryOne("SELECT min(id) FROM audit_events")?.optionalInt(0)
            if let first { return (nil, .broken(AuditChainBreak(id: first, reason: .headMissing))) }
            return (nil, .intact(entries: 0, lastID: 0))
        }
        let hasher = AuditChainHasher(key: key)
        let authentic = head.isAuthentic(hasher: hasher)
        var walker = ChainWalker(hasher: hasher, head: head, authentic: authentic)
        do {
            try connection.query(
                "SELECT \(AuditReader.columns) FROM audit_events WHERE id <= $1 ORDER BY id", [.integer(head.lastID)]
            ) { (view: RowView) in try walker.check(AuditRowView(view: view)) }
        } catch is ChainWalker.Stop {
            return (head, .broken(walker.found!))
        }
        return (head, try walker.finish(connection))
    }
}

/// The outcome of ``AuditVerifier/verify()``.
public enum AuditVerification: Sendable, Hashable {
    /// Every entry from the anchor to the head checks out.
    case intact(entries: Int64, lastID: Int64)
    /// The chain is broken at the entry named.
    case broken(AuditChainBreak)

    /// Whether the chain is intact.
    public var isIntact: Bool {
        if case .intact = self { return true }
        return false
    }
}

/// Where the chain breaks and why.
public struct AuditChainBreak: Sendable, Hashable, CustomStringConvertible {
    /// Why an entry or the head does not check out.
    public enum Reason: Sendable, Hashable {
        /// The entry's hash does not match its content: the entry was edited, or the key differs.
        case hashMismatch
        /// The entry's `previous_hash` is not the hash of the entry before it: an entry was
        /// removed or entries were reordered.
        case previousHashMismatch
        /// The id is not the one after the previous entry's: entries were deleted or reordered.
        case idGap(expected: Int64)
        /// The first entry does not follow the prune anchor: leading entries were deleted.
        case anchorMismatch
        /// The last entry is not the head's: entries at the end were deleted or the head edited.
        case headMismatch
        /// The `audit_chain` row fails its MAC: it was edited, or the key differs.
        case headInvalid
        /// There are entries but no `audit_chain` row.
        case headMissing
        /// A column holds a value the audit log never writes (a time off the millisecond).
        case malformed
    }

    /// The entry at which the chain breaks; for head problems, the head's last id.
    public var id: Int64
    /// Why it breaks.
    public var reason: Reason

    /// Creates a break.
    public init(id: Int64, reason: Reason) {
        self.id = id
        self.reason = reason
    }

    /// The break as one line for operators.
    public var description: String {
        switch reason {
        case .hashMismatch: "entry \(id) does not match its hash (edited)"
        case .previousHashMismatch: "entry \(id) does not link to the entry before it (deleted or reordered)"
        case .idGap(let expected): "entry \(id) follows where \(expected) was expected (deleted or reordered)"
        case .anchorMismatch: "entry \(id) does not follow the prune anchor (leading entries deleted)"
        case .headMismatch: "the chain ends before its head at \(id) (trailing entries deleted or head edited)"
        case .headInvalid: "the audit_chain row fails its MAC (edited, or another key)"
        case .headMissing: "entries exist from \(id) on but the audit_chain row is missing"
        case .malformed: "entry \(id) holds a value the audit log never writes"
        }
    }
}

/// The state of one walk along the chain.
private struct ChainWalker {
    struct Stop: Error {}

    let hasher: AuditChainHasher
    let head: AuditChainHead
    let authentic: Bool
    private(set) var found: AuditChainBreak?
    private var expectedID: Int64
    private var previousHash: [UInt8]
    private var count: Int64 = 0

    init(hasher: AuditChainHasher, head: AuditChainHead, authentic: Bool) {
        self.hasher = hasher
        self.head = head
        self.authentic = authentic
        expectedID = head.prunedThroughID + 1
        previousHash = Array(head.prunedThroughHash.utf8)
    }

    mutating func check(_ row: AuditRowView) throws {
        guard let id = row.id else { try stop(expectedID, .malformed) }
        let isFirst = count == 0
        // With a forged head the anchor proves nothing, so a mismatch there is the head's fault.
        let linkReason: AuditChainBreak.Reason =
            isFirst ? (authentic ? .anchorMismatch : .headInvalid) : .idGap(expected: expectedID)
        guard id == expectedID else { try stop(id, linkReason) }
        guard let storedPrevious = row.text(.previousHash), let storedHash = row.text(.hash),
            let actor = row.text(.actor), let action = row.text(.action), let target = row.text(.target),
            let outcome = row.text(.outcome), let ip = row.text(.ip), let userAgent = row.text(.userAgent),
            let details = row.text(.details), let occurredAt = row.occurredAt,
            let milliseconds = AuditTime.storedMilliseconds(occurredAt)
        else { try stop(id, .malformed) }
        guard storedPrevious.elementsEqual(previousHash) else {
            try stop(id, isFirst ? linkReason : .previousHashMismatch)
        }

        let fields = AuditEntryFields(
            milliseconds: milliseconds, actor: actor, action: action, target: target, outcome: outcome, ip: ip,
            userAgent: userAgent, details: details)
        let hash = hasher.entryHash(previousHash: storedPrevious, id: id, content: AuditChain.content(of: fields))
        guard hash.utf8.elementsEqual(storedHash) else { try stop(id, .hashMismatch) }

        previousHash = Array(storedHash)
        expectedID += 1
        count += 1
    }

    /// The verdict once every entry up to the head has been read.
    func finish(_ connection: any DatabaseConnection) throws -> AuditVerification {
        guard authentic else { return .broken(AuditChainBreak(id: head.lastID, reason: .headInvalid)) }
        guard expectedID - 1 == head.lastID, previousHash.elementsEqual(head.lastHash.utf8) else {
            return .broken(AuditChainBreak(id: head.lastID, reason: .headMismatch))
        }
        // Entries past the head were not written by the audit log, unless a writer moved the
        // head on since the walk began.
        let newest = try connection.queryOne("SELECT max(id) FROM audit_events")?.optionalInt(0) ?? 0
        if newest > head.lastID, try AuditChainHead.load(from: connection, locking: false) == head {
            return .broken(AuditChainBreak(id: head.lastID + 1, reason: .headMismatch))
        }
        return .intact(entries: count, lastID: head.lastID)
    }

    private mutating func stop(_ id: Int64, _ reason: AuditChainBreak.Reason) throws -> Never {
        found = AuditChainBreak(id: id, reason: reason)
        throw Stop()
    }
}
