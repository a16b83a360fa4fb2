import Storage

/// An event with everything that does not depend on its place in the chain already encoded.
///
/// It is built on the recording thread, outside the buffer's lock, so the one writer thread only
/// links, hashes and inserts; with several recorders the encoding runs on every core. It keeps
/// the stored values only: the details dictionary is freed on the recording thread, which
/// allocated it, rather than by the writer after the batch is written.
struct PreparedAuditEvent: Sendable {
    /// The event time cut to the millisecond.
    let milliseconds: Int64
    /// The time as bound: RFC 3339 text on SQLite, a native timestamp on PostgreSQL.
    let time: DatabaseValue
    let actor: String
    let action: String
    let target: String
    let outcome: AuditOutcome
    let ip: String
    let userAgent: String
    /// The stored details object.
    let details: String
    /// The canonical encoding of the entry's own values, the hashed bytes after the id.
    let content: [UInt8]

    init(_ event: AuditEvent, dialect: SQLDialect) {
        milliseconds = AuditTime.milliseconds(event.occurredAt)
        switch dialect {
        case .sqlite: time = .text(AuditTime.sqliteText(milliseconds: milliseconds))
        case .postgres: time = .timestamp(AuditTime.date(milliseconds: milliseconds))
        }
        actor = event.actor
        action = event.action
        target = event.target
        outcome = event.outcome
        ip = event.ip
        userAgent = event.userAgent
        details = AuditDetails.encode(event.details)
        content = AuditChain.content(
            of: AuditEntryFields(
                milliseconds: milliseconds, actor: actor.utf8, action: action.utf8, target: target.utf8,
                outcome: outcome.rawValue.utf8, ip: ip.utf8, userAgent: userAgent.utf8, details: details.utf8))
    }
}
