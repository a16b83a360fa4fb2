import Audit
import Core
import Foundation
import Storage
import TestSupport
import Testing

/// The key the tests write chains under.
let auditKey = Array("audit-tests-key-0123456789abcdef".utf8)

/// A fixed moment the test events are spread around, on a whole millisecond.
let baseTime = Date(timeIntervalSince1970: 1_780_000_000.123)

/// Runs `body` with a fresh database of `store` holding the control schema.
func withAuditDatabase(_ store: TestStore, _ body: (any Database) throws -> Void) throws {
    try withTestDatabase(store) { database in
        try Migrator(database: database, migrations: ControlSchema.migrations, logger: testLogger).migrate()
        try body(database)
    }
}

/// A distinct event; `index` shows up in the actor, target and details.
func sampleEvent(_ index: Int, at time: Date? = nil) -> AuditEvent {
    AuditEvent(
        occurredAt: time ?? baseTime.addingTimeInterval(Double(index)), actor: "user\(index % 3)",
        action: index % 2 == 0 ? "auth.login" : "user.update", target: "target-\(index)",
        outcome: index % 5 == 0 ? .failure : .success, ip: "192.0.2.\(index % 250)", userAgent: "tests/1.0",
        details: ["index": String(index), "note": "n\(index)"])
}

/// Writes `events` through an audit log and closes it, so they are all committed on return.
func write(_ events: [AuditEvent], to database: any Database, logger: Logger = testLogger) {
    let log = AuditLog(database: database, key: auditKey, logger: logger)
    for event in events {
        log.record(event)
    }
    log.close()
}

/// Writes `count` sample events.
func writeSamples(_ count: Int, to database: any Database) {
    write((1...count).map { sampleEvent($0) }, to: database)
}

/// The chain's verdict under `key`.
func verify(_ database: any Database, key: [UInt8] = auditKey) throws -> AuditVerification {
    try AuditVerifier(database: database, key: key).verify()
}

/// Runs one statement with bound values.
func execute(_ database: any Database, _ sql: String, _ parameters: [DatabaseValue] = []) throws {
    try database.write { try $0.execute(sql, parameters) }
}

/// The ids stored, ascending.
func storedIDs(_ database: any Database) throws -> [Int64] {
    try database.read { try $0.query("SELECT id FROM audit_events ORDER BY id").map { try $0.int(0) } }
}
