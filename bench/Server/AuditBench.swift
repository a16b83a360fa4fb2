import Audit
import Core
import Foundation
import Storage

/// The audit benchmark: events per second through ``AuditLog`` on SQLite, against the same rows
/// inserted with the same batching and no hashing, on a fresh database each time.
enum AuditBench {
    /// Rows per transaction and per INSERT, as the audit log uses by default.
    private static let batchSize = AuditLogConfiguration().batchSize
    private static let rowsPerInsert = 128

    /// Runs both cases `runs` times, alternating, and prints each run and the medians.
    static func run(events: Int, threads: Int, runs: Int, logger: Logger) throws {
        let key = Crypto.randomBytes(32)
        let samples = (0..<events).map(event)
        var logged: [Double] = []
        var plain: [Double] = []
        print("audit benchmark: \(events) events, \(threads) recording threads, \(runs) runs, SQLite")
        for run in 1...runs {
            logged.append(try withFreshDatabase(logger) { try measureAuditLog($0, samples, threads, key, logger) })
            plain.append(try withFreshDatabase(logger) { try measurePlainInserts($0, samples) })
            print(
                String(
                    format: "run %d/%d: audit log %.0f events/s, plain inserts %.0f rows/s", run, runs, logged.last!,
                    plain.last!))
        }
        let auditRate = median(logged)
        let plainRate = median(plain)
        print(
            String(
                format: "median audit log (record from %d threads until flush returns): %.0f events/s", threads,
                auditRate))
        print(String(format: "median plain batched inserts (no hashing, one thread):        %.0f rows/s", plainRate))
        print(String(format: "ratio audit log / plain inserts: %.2f", auditRate / plainRate))
        print("goal: >= 50000 events/s batched on SQLite: \(auditRate >= 50_000 ? "met" : "not met")")
    }

    private static func event(_ index: Int) -> AuditEvent {
        AuditEvent(
            occurredAt: Date(), actor: "user\(index % 1_000)", action: index % 4 == 0 ? "auth.login" : "api.access",
            target: "/api/sources/\(index % 50)", outcome: index % 10 == 0 ? .failure : .success,
            ip: "10.0.\(index % 256).\(index % 200)", userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench/1.0",
            details: ["status": "200", "duration_ms": String(index % 97)])
    }

    private static func withFreshDatabase(_ logger: Logger, _ body: (any Database) throws -> Double) throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-audit-bench-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(
            path: directory.appendingPathComponent("audit.db").path, readers: 1, logger: logger)
        defer { database.close() }
        try Migrator(database: database, migrations: ControlSchema.migrations, logger: logger).migrate()
        return try body(database)
    }

    /// Records every event from `threads` threads and returns events per second until `flush` returns.
    private static func measureAuditLog(
        _ database: any Database, _ samples: [AuditEvent], _ threads: Int, _ key: [UInt8], _ logger: Logger
    ) throws -> Double {
        let log = AuditLog(database: database, key: key, logger: logger)
        defer { log.close() }
        let done = DispatchGroup()
        let start = ContinuousClock.now
        for thread in 0..<threads {
            done.enter()
            Thread {
                for index in stride(from: thread, to: samples.count, by: threads) {
                    log.record(samples[index])
                }
                done.leave()
            }.start()
        }
        done.wait()
        log.flush()
        let rate = Double(samples.count) / (ContinuousClock.now - start).seconds
        let check = try AuditVerifier(database: database, key: key).verify()
        guard check == .intact(entries: Int64(samples.count), lastID: Int64(samples.count)) else {
            throw BenchFailure(message: "the benchmark's chain does not verify: \(check)")
        }
        return rate
    }

    /// Inserts one row per event in transactions of `batchSize` rows and returns rows per second.
    ///
    /// The time and details texts are prepared before the clock starts, so this measures what the
    /// database costs for the rows, not formatting.
    private static func measurePlainInserts(_ database: any Database, _ samples: [AuditEvent]) throws -> Double {
        let columns = "id, occurred_at, actor, action, target, outcome, ip, user_agent, details, previous_hash, hash"
        let placeholderHash = String(repeating: "f", count: 64)
        let times = samples.map {
            Timestamp.rfc3339($0.occurredAt.addingTimeInterval(0.000_000_5), fractionalDigits: 6)
        }
        let details = samples.map { event in
            var writer = JSONWriter(capacity: 64)
            writer.beginObject()
            for name in event.details.keys.sorted() {
                writer.key(name)
                writer.string(event.details[name]!)
            }
            writer.endObject()
            return writer.text
        }
        let statements = Dictionary(
            uniqueKeysWithValues: sequence(first: rowsPerInsert) { $0 > 1 ? $0 / 2 : nil }.map { rows in
                let tuples = (0..<rows).map { row in
                    "(" + (1...11).map { "$\(row * 11 + $0)" }.joined(separator: ", ") + ")"
                }
                return (rows, "INSERT INTO audit_events (\(columns)) VALUES \(tuples.joined(separator: ", "))")
            })

        let start = ContinuousClock.now
        for batchStart in stride(from: 0, to: samples.count, by: batchSize) {
            try database.transaction { connection in
                var next = batchStart
                let end = min(batchStart + batchSize, samples.count)
                var chunk = rowsPerInsert
                var values: [DatabaseValue] = []
                values.reserveCapacity(chunk * 11)
                while next < end {
                    while chunk > end - next { chunk /= 2 }
                    for index in next..<next + chunk {
                        let event = samples[index]
                        values += [
                            .integer(Int64(index + 1)), .text(times[index]), .text(event.actor), .text(event.action),
                            .text(event.target), .text(event.outcome.rawValue), .text(event.ip), .text(event.userAgent),
                            .text(details[index]), .text(placeholderHash), .text(placeholderHash),
                        ]
                    }
                    try connection.execute(statements[chunk]!, values)
                    values.removeAll(keepingCapacity: true)
                    next += chunk
                }
            }
        }
        return Double(samples.count) / (ContinuousClock.now - start).seconds
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// A benchmark that cannot report a figure because its result is wrong.
struct BenchFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
