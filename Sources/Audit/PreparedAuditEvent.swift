import Storage

/// An event with everything that does not depend on its place in the chain already encoded.
///
/// It is built on the recording thread, outside the buffer's lock, so the one writer thread only
/// links, hashes and inserts; with several recorders the encoding runs on every core.
struct PreparedAuditEvent: Sendable {
    let event: AuditEvent
    /// The event time cut to the millisecond.
    let milliseconds: Int64
    /// The time as bound: RFC 3339 text on SQLite, a native timestamp on PostgreSQL.
    let time: DatabaseValue
    /// The stored details object.
    let details: String
    /// The canonical encoding of the entry's own values, the hashed bytes after the id.
    let content: [UInt8]

    init(_ event: AuditEvent, dialect: SQLDialect) {
        self.event = event
        milliseconds = AuditTime.milliseconds(event.occurredAt)
        switch dialect {
        case .sqlite: time = .text(AuditTime.sqliteText(milliseconds: milliseconds))
        case .postgres: time = .timestamp(AuditTime.date(milliseconds: milliseconds))
        }
        details = AuditDetails.encode(event.details)
        content = AuditChain.content(
            of: AuditEntryFields(
                milliseconds: milliseconds, actor: event.actor.utf8, action: event.action.utf8,
                target: event.target.utf8, outcome: event.outcome.rawValue.utf8, ip: event.ip.utf8,
                userAgent: event.userAgent.utf8, details: details.utf8))
    }
}
