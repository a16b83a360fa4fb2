import Foundation
import Storage

/// Which entries a query or an export covers; every filter left nil matches everything.
public struct AuditFilter: Sendable, Hashable {
    /// How the action is matched.
    public enum ActionMatch: Sendable, Hashable {
        /// The action is exactly this one: `auth.login`.
        case exact(String)
        /// The action starts with this text: `auth.` for every authentication event.
        case prefix(String)

        /// The match a filter's text asks for: a prefix when it ends in `.` (`auth.`), else the
        /// exact action.
        public init(_ text: String) {
            self = text.hasSuffix(".") ? .prefix(text) : .exact(text)
        }
    }

    /// Only entries by this actor.
    public var actor: String?
    /// Only entries whose action matches.
    public var action: ActionMatch?
    /// Only entries that ended this way.
    public var outcome: AuditOutcome?
    /// Only entries on this target.
    public var target: String?
    /// Only entries that occurred at or after this time.
    public var from: Date?
    /// Only entries that occurred before this time.
    public var to: Date?

    /// Creates a filter.
    public init(
        actor: String? = nil, action: ActionMatch? = nil, outcome: AuditOutcome? = nil, target: String? = nil,
        from: Date? = nil, to: Date? = nil
    ) {
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.target = target
        self.from = from
        self.to = to
    }

    /// The filter as SQL conditions joined by AND (or `TRUE`), appending the bound values to
    /// `parameters`.
    func whereClause(_ parameters: inout [DatabaseValue]) -> String {
        var conditions: [String] = []
        func bind(_ value: DatabaseValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if let actor { conditions.append("actor = \(bind(.text(actor)))") }
        switch action {
        case .exact(let action):
            conditions.append("action = \(bind(.text(action)))")
        case .prefix(let prefix):
            // substr compares exactly and case-sensitively in both dialects, unlike LIKE in SQLite.
            let placeholder = bind(.text(prefix))
            conditions.append("substr(action, 1, length(\(placeholder))) = \(placeholder)")
        case nil:
            break
        }
        if let outcome { conditions.append("outcome = \(bind(.text(outcome.rawValue)))") }
        if let target { conditions.append("target = \(bind(.text(target)))") }
        if let from { conditions.append("occurred_at >= \(bind(Self.boundary(from)))") }
        if let to { conditions.append("occurred_at < \(bind(Self.boundary(to)))") }
        return conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ")
    }

    /// A time bound at the stored precision, so it compares the way the stored times do.
    private static func boundary(_ date: Date) -> DatabaseValue {
        .timestamp(AuditTime.date(milliseconds: AuditTime.milliseconds(date)))
    }
}

/// One page of the audit log, newest first, with keyset pagination by id.
public struct AuditQuery: Sendable, Hashable {
    /// The largest page one query returns.
    public static let maximumLimit = 500

    /// Which entries to include.
    public var filter: AuditFilter
    /// Only entries with an id below this one: the previous page's ``AuditPage/nextBefore``.
    public var before: Int64?
    /// How many entries the page holds at most, 1 to ``maximumLimit``.
    public var limit: Int

    /// Creates a query for the newest `limit` entries matching `filter` below `before`.
    public init(filter: AuditFilter = AuditFilter(), before: Int64? = nil, limit: Int = 100) {
        self.filter = filter
        self.before = before
        self.limit = limit
    }
}

/// One stored entry: the event with the id and hashes the chain gave it.
public struct AuditEntry: Sendable, Hashable {
    /// The entry's place in the chain, from 1 without gaps.
    public var id: Int64
    /// The event as stored, its time cut to the millisecond.
    public var event: AuditEvent
    /// The hash of the entry before it.
    public var previousHash: String
    /// This entry's hash.
    public var hash: String

    /// Creates an entry.
    public init(id: Int64, event: AuditEvent, previousHash: String, hash: String) {
        self.id = id
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// A page of entries and the cursor for the next, older one.
public struct AuditPage: Sendable, Hashable {
    /// The entries, newest first.
    public var entries: [AuditEntry]
    /// The `before` of the next page, or nil when this page is the last.
    public var nextBefore: Int64?

    /// Creates a page.
    public init(entries: [AuditEntry], nextBefore: Int64?) {
        self.entries = entries
        self.nextBefore = nextBefore
    }
}

/// Reads the audit log: pages for browsing and streamed exports.
///
/// Reading needs no key; checking the chain is ``AuditVerifier``'s work.
public struct AuditReader: Sendable {
    let database: any Database

    /// Creates a reader of the audit log in `database`.
    public init(database: any Database) {
        self.database = database
    }

    /// The columns every read selects, in the order ``entry(from:)`` expects.
    static let columns =
        "id, occurred_at, actor, action, target, outcome, ip, user_agent, details, previous_hash, hash"

    /// The page of entries `query` asks for.
    public func page(_ query: AuditQuery) throws(AuditError) -> AuditPage {
        guard (1...AuditQuery.maximumLimit).contains(query.limit) else {
            throw AuditError(.invalidQuery, message: "limit must be between 1 and \(AuditQuery.maximumLimit)")
        }
        var parameters: [DatabaseValue] = []
        var sql = "SELECT \(Self.columns) FROM audit_events WHERE \(query.filter.whereClause(&parameters))"
        if let before = query.before {
            parameters.append(.integer(before))
            sql += " AND id < $\(parameters.count)"
        }
        parameters.append(.integer(Int64(query.limit + 1)))
        sql += " ORDER BY id DESC LIMIT $\(parameters.count)"

        let rows = try AuditError.mapping { try database.read { try $0.query(sql, parameters) } }
        var entries: [AuditEntry] = []
        entries.reserveCapacity(min(rows.count, query.limit))
        for row in rows.prefix(query.limit) {
            entries.append(try Self.entry(from: row))
        }
        let nextBefore = rows.count > query.limit ? entries.last?.id : nil
        return AuditPage(entries: entries, nextBefore: nextBefore)
    }

    /// Decodes a row selected with ``columns``.
    static func entry(from row: Row) throws(AuditError) -> AuditEntry {
        do {
            let id = try row.int(0)
            let detailsText = try row.string(8)
            guard let outcome = AuditOutcome(rawValue: try row.string(5)),
                let details = AuditDetails.decode(detailsText.utf8)
            else {
                throw AuditError(.corruptEntry, message: "audit entry \(id) has an unknown outcome or bad details")
            }
            let event = AuditEvent(
                occurredAt: AuditTime.date(milliseconds: AuditTime.milliseconds(try row.date(1))),
                actor: try row.string(2), action: try row.string(3), target: try row.string(4), outcome: outcome,
                ip: try row.string(6), userAgent: try row.string(7), details: details)
            return AuditEntry(id: id, event: event, previousHash: try row.string(9), hash: try row.string(10))
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.corruptEntry, message: "an audit entry could not be read: \(error)")
        }
    }
}
