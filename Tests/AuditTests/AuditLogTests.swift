import Audit
import Core
import Foundation
import Storage
import Synchronization
import TestSupport
import Testing

@Suite("Audit log")
struct AuditLogTests {
    @Test(arguments: TestStore.all)
    func backPressureKeepsEveryEventOnce(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let metrics = MetricsRegistry()
            let configuration = AuditLogConfiguration(capacity: 4, batchSize: 3)
            let log = AuditLog(
                database: database, key: auditKey, configuration: configuration, logger: testLogger, metrics: metrics)
            let threads = 8
            let perThread = 150
            let sampler = DepthSampler(metrics: metrics)
            let done = DispatchGroup()
            for thread in 0..<threads {
                done.enter()
                Thread {
                    for index in 0..<perThread {
                        log.record(
                            AuditEvent(
                                actor: "thread\(thread)", action: "test.record", target: "\(thread)-\(index)",
                                outcome: .success))
                    }
                    done.leave()
                }.start()
            }
            done.wait()
            log.flush()
            #expect(sampler.stop() <= configuration.capacity)

            let total = threads * perThread
            #expect(try storedIDs(database) == Array(1...Int64(total)))
            let targets = try database.read { try $0.query("SELECT target FROM audit_events").map { try $0.string(0) } }
            #expect(Set(targets).count == total)
            #expect(try verify(database) == .intact(entries: Int64(total), lastID: Int64(total)))
            #expect(metrics.render().contains("syncline_audit_events_written_total \(total)"))
            #expect(metrics.render().contains("syncline_audit_buffer_depth 0"))
            log.close()
        }
    }

    @Test(arguments: TestStore.all)
    func closeWritesPendingEvents(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let configuration = AuditLogConfiguration(flushInterval: .seconds(60))
            let log = AuditLog(database: database, key: auditKey, configuration: configuration, logger: testLogger)
            for index in 1...25 {
                log.record(sampleEvent(index))
            }
            log.close()
            #expect(try storedIDs(database).count == 25)

            log.record(sampleEvent(26))
            #expect(try storedIDs(database).count == 26)
            #expect(try verify(database).isIntact)
        }
    }

    @Test(arguments: TestStore.all)
    func flushWaitsForTheCommit(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let configuration = AuditLogConfiguration(flushInterval: .seconds(60))
            let log = AuditLog(database: database, key: auditKey, configuration: configuration, logger: testLogger)
            defer { log.close() }
            for index in 1...10 {
                log.record(sampleEvent(index))
            }
            log.flush()
            #expect(try storedIDs(database) == Array(1...10))
        }
    }

    @Test
    func writerWritesAfterTheFlushInterval() throws {
        try withAuditDatabase(.sqlite) { database throws in
            let configuration = AuditLogConfiguration(flushInterval: .milliseconds(20))
            let log = AuditLog(database: database, key: auditKey, configuration: configuration, logger: testLogger)
            defer { log.close() }
            log.record(sampleEvent(1))
            log.flush()
            // Let the writer go idle, so only the next event can wake it.
            Thread.sleep(forTimeInterval: 0.1)
            log.record(sampleEvent(2))
            let deadline = Date(timeIntervalSinceNow: 5)
            while try storedIDs(database).count < 2 && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(try storedIDs(database) == [1, 2])
        }
    }

    @Test(arguments: TestStore.all)
    func failedWritesAreRetriedWithTheirEvents(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            try execute(database, "ALTER TABLE audit_events RENAME TO audit_events_away")
            let metrics = MetricsRegistry()
            let sink = MemoryLogSink()
            let logger = Logger(label: "tests", level: .debug, sink: sink)
            let configuration = AuditLogConfiguration(
                retryDelay: .milliseconds(5), maximumRetryDelay: .milliseconds(20))
            let log = AuditLog(
                database: database, key: auditKey, configuration: configuration, logger: logger, metrics: metrics)
            defer { log.close() }
            log.record(sampleEvent(1))
            log.record(sampleEvent(2))

            let deadline = Date(timeIntervalSinceNow: 10)
            while !metrics.render().contains("syncline_audit_write_failures_total 2") && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(sink.lines.contains { $0.contains("\"level\":\"error\"") && $0.contains("audit write failed") })
            try execute(database, "ALTER TABLE audit_events_away RENAME TO audit_events")
            log.flush()
            #expect(try storedIDs(database) == [1, 2])
            #expect(try verify(database).isIntact)
        }
    }

    @Test
    func debugLinesEscapeLineBreaks() throws {
        try withAuditDatabase(.sqlite) { database throws in
            let sink = MemoryLogSink()
            let logger = Logger(label: "tests", level: .debug, sink: sink)
            let forged = "eve\r\n{\"level\":\"info\",\"message\":\"forged\"}"
            write([AuditEvent(actor: forged, action: "auth.login", outcome: .failure)], to: database, logger: logger)

            let line = try #require(sink.lines.first { $0.contains("\"message\":\"audit event\"") })
            #expect(!line.contains("\r") && !line.contains("\n"))
            #expect(line.contains(#""actor":"eve\r\n{\"level\":\"info\",\"message\":\"forged\"}""#))
            #expect(line.contains("\"id\":\"1\""))
        }
    }

    @Test(arguments: TestStore.all)
    func storedEventsReadBackAsRecorded(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let time = Date(timeIntervalSince1970: 1_780_000_000.123_456_7)
            let event = AuditEvent(
                occurredAt: time, actor: "alice", action: "user.create", target: "bob", outcome: .success,
                ip: "2001:db8::1", userAgent: "curl/8.0", details: ["role": "admin", "ünïcode": "✓", "empty": ""])
            write([event], to: database)

            let entry = try #require(AuditReader(database: database).page(AuditQuery()).entries.first)
            var expected = event
            expected.occurredAt = Date(timeIntervalSince1970: 1_780_000_000.123)
            #expect(entry.id == 1)
            #expect(entry.event == expected)
            #expect(entry.previousHash == String(repeating: "0", count: 64))
            #expect(entry.hash.count == 64)
            #expect(try verify(database).isIntact)
        }
    }
}

@Suite("Audit log, several writers")
struct SharedAuditChainTests {
    /// Several logs on one database stand for several server instances sharing it.
    @Test(arguments: TestStore.all)
    func severalLogsKeepOneChain(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let configuration = AuditLogConfiguration(capacity: 16, batchSize: 8, flushInterval: .milliseconds(1))
            let logs = (0..<3).map { _ in
                AuditLog(database: database, key: auditKey, configuration: configuration, logger: testLogger)
            }
            let done = DispatchGroup()
            for (number, log) in logs.enumerated() {
                for thread in 0..<2 {
                    done.enter()
                    Thread {
                        for index in 0..<100 {
                            log.record(
                                AuditEvent(
                                    actor: "log\(number)", action: "test.shared", target: "\(thread)-\(index)",
                                    outcome: .success))
                        }
                        done.leave()
                    }.start()
                }
            }
            done.wait()
            for log in logs {
                log.close()
            }
            #expect(try storedIDs(database) == Array(1...600))
            #expect(try verify(database) == .intact(entries: 600, lastID: 600))
        }
    }

    @Test(arguments: TestStore.all)
    func missingHeadIsReported(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(3, to: database)
            try execute(database, "DELETE FROM audit_chain")
            #expect(try verify(database) == .broken(AuditChainBreak(id: 1, reason: .headMissing)))
            let log = AuditLog(database: database, key: auditKey, logger: testLogger)
            #expect(throws: AuditError.self) { try log.prune(olderThan: baseTime.addingTimeInterval(10)) }
            log.close()
        }
    }
}

/// Reads the buffer-depth gauge in a loop on its own thread and keeps the largest value seen.
private final class DepthSampler: Sendable {
    private let largest = Mutex(0)
    private let running = Atomic(true)
    private let finished = DispatchSemaphore(value: 0)

    init(metrics: MetricsRegistry) {
        Thread { [self] in
            while running.load(ordering: .relaxed) {
                let line = metrics.render().split(separator: "\n").first {
                    $0.hasPrefix("syncline_audit_buffer_depth ")
                }
                let depth = line.flatMap { Double($0.split(separator: " ").last!) }.map { Int($0) } ?? 0
                largest.withLock { $0 = max($0, depth) }
            }
            finished.signal()
        }.start()
    }

    /// Stops sampling and returns the largest depth seen.
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        finished.wait()
        return largest.withLock { $0 }
    }
}
