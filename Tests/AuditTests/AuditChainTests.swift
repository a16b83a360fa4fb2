import Audit
import Core
import Foundation
import Storage
import TestSupport
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    @Test(arguments: TestStore.all)
    func writtenChainVerifies(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            #expect(try verify(database) == .intact(entries: 0, lastID: 0))
            writeSamples(40, to: database)
            #expect(try verify(database) == .intact(entries: 40, lastID: 40))
            #expect(try storedIDs(database) == Array(1...40))

            writeSamples(5, to: database)
            #expect(try verify(database) == .intact(entries: 45, lastID: 45))
        }
    }

    /// A clock years off still gives a chain that verifies and reads back, at the nearest time
    /// RFC 3339 can write.
    @Test(arguments: TestStore.all)
    func farOffClocksKeepTheChainVerifiable(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let times = [
                Date(timeIntervalSince1970: 253_402_300_800), Date(timeIntervalSince1970: -62_135_596_801),
                Date(timeIntervalSince1970: 1e13), baseTime,
            ]
            write(times.enumerated().map { sampleEvent($0.offset + 1, at: $0.element) }, to: database)
            #expect(try verify(database) == .intact(entries: 4, lastID: 4))

            let entries = try AuditReader(database: database).page(AuditQuery(limit: 10)).entries
            let read = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.event.occurredAt) })
            let last = Date(timeIntervalSince1970: 253_402_300_799.999)
            let first = Date(timeIntervalSince1970: -62_135_596_800)
            #expect(read == [1: last, 2: first, 3: last, 4: baseTime])
        }
    }

    @Test(arguments: TestStore.all)
    func editedFieldNamesTheEntry(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(20, to: database)
            let columns = [
                "actor", "action", "target", "outcome", "ip", "user_agent", "details", "previous_hash", "hash",
            ]
            for (offset, column) in columns.enumerated() {
                let id = Int64(3 + offset)
                let original = try database.read {
                    try $0.queryOne("SELECT \(column) FROM audit_events WHERE id = $1", [.integer(id)])!.string(0)
                }
                try execute(
                    database, "UPDATE audit_events SET \(column) = $1 WHERE id = $2",
                    [.text(original + "x"), .integer(id)])
                let result = try verify(database)
                let expected: AuditChainBreak.Reason = column == "previous_hash" ? .previousHashMismatch : .hashMismatch
                #expect(result == .broken(AuditChainBreak(id: id, reason: expected)), "column \(column)")
                try execute(
                    database, "UPDATE audit_events SET \(column) = $1 WHERE id = $2", [.text(original), .integer(id)])
                #expect(try verify(database).isIntact)
            }

            try execute(
                database, "UPDATE audit_events SET occurred_at = $1 WHERE id = 15",
                [.timestamp(baseTime.addingTimeInterval(-60))])
            #expect(try verify(database) == .broken(AuditChainBreak(id: 15, reason: .hashMismatch)))
        }
    }

    @Test(arguments: TestStore.all)
    func deletedMiddleEntryFailsAtTheNextID(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(20, to: database)
            try execute(database, "DELETE FROM audit_events WHERE id = 10")
            #expect(try verify(database) == .broken(AuditChainBreak(id: 11, reason: .idGap(expected: 10))))
        }
    }

    @Test(arguments: TestStore.all)
    func swappedEntriesAreFound(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(20, to: database)
            let columns = [
                "occurred_at", "actor", "action", "target", "outcome", "ip", "user_agent", "details", "previous_hash",
                "hash",
            ]
            let list = columns.joined(separator: ", ")
            let rows = try database.read {
                try $0.query("SELECT \(list) FROM audit_events WHERE id IN (7, 8) ORDER BY id")
            }
            let assignments = columns.enumerated().map { "\($1) = $\($0 + 2)" }.joined(separator: ", ")
            try database.transaction { connection in
                for (id, source) in [(7, rows[1]), (8, rows[0])] {
                    try connection.execute(
                        "UPDATE audit_events SET \(assignments) WHERE id = $1", [.integer(Int64(id))] + source.values)
                }
            }
            #expect(try verify(database) == .broken(AuditChainBreak(id: 7, reason: .previousHashMismatch)))
        }
    }

    @Test(arguments: TestStore.all)
    func deletedLastEntryIsFoundAtTheHead(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(12, to: database)
            try execute(database, "DELETE FROM audit_events WHERE id = 12")
            #expect(try verify(database) == .broken(AuditChainBreak(id: 12, reason: .headMismatch)))
        }
    }

    @Test(arguments: TestStore.all)
    func editedHeadFailsItsMAC(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(12, to: database)
            // Cover the deletion of the last entry by moving the head back onto entry 11.
            let hash = try database.read { try $0.queryOne("SELECT hash FROM audit_events WHERE id = 11")!.string(0) }
            try execute(database, "DELETE FROM audit_events WHERE id = 12")
            try execute(database, "UPDATE audit_chain SET last_id = 11, last_hash = $1", [.text(hash)])
            #expect(try verify(database) == .broken(AuditChainBreak(id: 11, reason: .headInvalid)))
        }
    }

    @Test(arguments: TestStore.all)
    func entriesPastTheHeadAreFound(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(6, to: database)
            let row = try database.read { try $0.queryOne("SELECT * FROM audit_events WHERE id = 6")! }
            let placeholders = (1...row.count).map { "$\($0)" }.joined(separator: ", ")
            try execute(
                database, "INSERT INTO audit_events VALUES (\(placeholders))", [.integer(7)] + row.values.dropFirst())
            #expect(try verify(database) == .broken(AuditChainBreak(id: 7, reason: .headMismatch)))
        }
    }

    @Test(arguments: TestStore.all)
    func anotherKeyFailsAtTheFirstEntry(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(5, to: database)
            let other = Array("another-key-of-thirty-two-bytes!".utf8)
            #expect(try verify(database, key: other) == .broken(AuditChainBreak(id: 1, reason: .hashMismatch)))
        }
    }

    @Test(arguments: TestStore.all)
    func pruneMovesTheAnchor(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let old = (1...30).map { sampleEvent($0, at: baseTime.addingTimeInterval(Double($0))) }
            let recent = (31...50).map { sampleEvent($0, at: baseTime.addingTimeInterval(86_400 * 10 + Double($0))) }
            write(old + recent, to: database)
            let anchorHash = try database.read {
                try $0.queryOne("SELECT hash FROM audit_events WHERE id = 30")!.string(0)
            }

            let log = AuditLog(database: database, key: auditKey, logger: testLogger)
            defer { log.close() }
            let result = try log.prune(olderThan: baseTime.addingTimeInterval(86_400))
            #expect(result == AuditPruneResult(removed: 30, prunedThroughID: 30))
            #expect(try storedIDs(database) == Array(31...50))
            let chain = try database.read {
                try $0.queryOne("SELECT pruned_through_id, pruned_through_hash FROM audit_chain")!
            }
            #expect(try chain.int(0) == 30)
            #expect(try chain.string(1) == anchorHash)
            #expect(try verify(database) == .intact(entries: 20, lastID: 50))

            #expect(try log.prune(olderThan: baseTime.addingTimeInterval(86_400)).removed == 0)
            log.record(sampleEvent(51, at: baseTime.addingTimeInterval(86_400 * 11)))
            log.flush()
            #expect(try verify(database) == .intact(entries: 21, lastID: 51))
        }
    }

    @Test(arguments: TestStore.all)
    func pruneKeepsEverythingFromTheFirstRecentEntry(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let times = [0, 1, 100_000, 2, 3].map { baseTime.addingTimeInterval(Double($0)) }
            write(times.enumerated().map { sampleEvent($0.offset + 1, at: $0.element) }, to: database)
            let log = AuditLog(database: database, key: auditKey, logger: testLogger)
            defer { log.close() }
            #expect(try log.prune(olderThan: baseTime.addingTimeInterval(50_000)).prunedThroughID == 2)
            #expect(try storedIDs(database) == [3, 4, 5])
            #expect(try log.prune(olderThan: baseTime.addingTimeInterval(200_000)).removed == 3)
            #expect(try verify(database) == .intact(entries: 0, lastID: 5))
        }
    }

    @Test(arguments: TestStore.all)
    func tamperingAfterPruneIsFound(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(40, to: database)
            let log = AuditLog(database: database, key: auditKey, logger: testLogger)
            defer { log.close() }
            try log.prune(olderThan: baseTime.addingTimeInterval(20.5))
            #expect(try verify(database) == .intact(entries: 20, lastID: 40))

            try execute(database, "UPDATE audit_events SET ip = '203.0.113.9' WHERE id = 33")
            #expect(try verify(database) == .broken(AuditChainBreak(id: 33, reason: .hashMismatch)))
            try execute(database, "DELETE FROM audit_events WHERE id = 21")
            #expect(try verify(database) == .broken(AuditChainBreak(id: 22, reason: .anchorMismatch)))
        }
    }

    @Test(arguments: TestStore.all)
    func tamperedHeadIsNeitherPrunedNorExtended(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(5, to: database)
            try execute(database, "UPDATE audit_chain SET pruned_through_id = 2")
            let log = AuditLog(database: database, key: auditKey, logger: testLogger)
            #expect(throws: AuditError.self) { try log.prune(olderThan: baseTime.addingTimeInterval(1_000)) }
            #expect(try storedIDs(database) == Array(1...5))
            #expect(try verify(database) == .broken(AuditChainBreak(id: 1, reason: .headInvalid)))
            log.close()
        }
    }
}

@Suite("Audit chain encoding")
struct AuditChainEncodingTests {
    /// Recomputes an entry's hash and the head's MAC from the format docs/audit.md describes.
    @Test(arguments: TestStore.all)
    func hashesFollowTheDocumentedEncoding(store: TestStore) throws {
        func field(_ text: String) -> [UInt8] { number(Int64(text.utf8.count)) + Array(text.utf8) }
        func number(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

        try withAuditDatabase(store) { database throws in
            let event = AuditEvent(
                occurredAt: baseTime, actor: "alice", action: "auth.login", target: "web", outcome: .success,
                ip: "192.0.2.1", userAgent: "tests", details: ["b": "2", "a": "1"])
            write([event], to: database)
            let entry = try #require(AuditReader(database: database).page(AuditQuery()).entries.first)

            let genesis = String(repeating: "0", count: 64)
            var canonical = field("syncline.audit.entry.v1") + field(genesis) + number(1)
            canonical += number(1_780_000_000_123)
            for text in ["alice", "auth.login", "web", "success", "192.0.2.1", "tests", #"{"a":"1","b":"2"}"#] {
                canonical += field(text)
            }
            #expect(entry.hash == Crypto.hex(Crypto.hmacSHA256(key: auditKey, canonical)))

            let head = field("syncline.audit.head.v1") + number(1) + field(entry.hash) + number(0) + field(genesis)
            let mac = try database.read { try $0.queryOne("SELECT mac FROM audit_chain")!.string(0) }
            #expect(mac == Crypto.hex(Crypto.hmacSHA256(key: auditKey, head)))
        }
    }
}

@Suite("Audit chain under load")
struct AuditChainConcurrencyTests {
    /// Verification while the writer appends and retention prunes reports no false break.
    @Test(arguments: TestStore.all)
    func verifyDuringWritesAndPrunes(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let configuration = AuditLogConfiguration(capacity: 64, batchSize: 16, flushInterval: .milliseconds(1))
            let log = AuditLog(database: database, key: auditKey, configuration: configuration, logger: testLogger)
            let done = DispatchSemaphore(value: 0)
            Thread {
                for index in 1...1_500 {
                    log.record(sampleEvent(index, at: baseTime.addingTimeInterval(Double(index))))
                }
                done.signal()
            }.start()

            var checks = 0
            while done.wait(timeout: .now()) == .timedOut || checks < 3 {
                let result = try verify(database)
                #expect(result.isIntact, "\(result)")
                // Pruning stops short of the last events, so the newest entry survives however many
                // rounds a slow machine needs.
                try log.prune(olderThan: baseTime.addingTimeInterval(Double(min(checks * 100, 1_000))))
                checks += 1
            }
            log.close()
            #expect(try verify(database).isIntact)
            #expect(try storedIDs(database).last == 1_500)
        }
    }
}
