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
    ///
    /// Besides the rate, each case reports the process's CPU time (user and system, all threads)
    /// per event, which a machine shared with other work disturbs far less than the rate.
    static func run(events: Int, threads: Int, runs: Int, logger: Logger) throws {
        let key = Crypto.randomBytes(32)
        let samples = (0..<events).map(event)
        var logged: [Measurement] = []
        var plain: [Measurement] = []
        print("audit benchmark: \(events) events, \(threads) recording threads, \(runs) runs, SQLite")
        for run in 1...runs {
            logged.append(try withFreshDatabase(logger) { try measureAuditLog($0, samples, threads, key, logger) })
            plain.append(try withFreshDatabase(logger) { try measurePlainInserts($0, samples) })
            print("run \(run)/\(runs): audit log \(logged.last!), plain inserts \(plain.last!)")
        }
        let audit = Measurement.median(logged)
        let reference = Measurement.median(plain)
        print("median audit log (record from \(threads) threads until flush returns): \(audit)")
        print("median plain batched inserts (no hashing, one thread):        \(reference)")
        print(
            String(
                format: "ratio audit log / plain inserts: %.2f by rate, %.2f by CPU time per event",
                audit.rate / reference.rate, audit.cpuPerEvent / reference.cpuPerEvent))
        print("goal: >= 50000 events/s batched on SQLite: \(audit.rate >= 50_000 ? "met" : "not met")")
    }

    private static func event(_ index: Int) -> AuditEvent {
        AuditEvent(
            occurredAt: Date(), actor: "user\(index % 1_000)", action: index % 4 == 0 ? "auth.login" : "api.access",
            target: "/api/sources/\(index % 50)", outcome: index % 10 == 0 ? .failure : .success,
            ip: "10.0.\(index % 256).\(index % 200)", userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench/1.0",
            details: ["status": "200", "duration_ms": String(index % 97)])
    }

    private static func withFreshDatabase(
        _ logger: Logger, _ body: (any Database) throws -> Measurement
    ) throws -> Measurement {
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
    ) throws -> Measurement {
        let log = AuditLog(database: database, key: key, logger: logger)
        defer { log.close() }
        let done = DispatchGroup()
        let clock = Stopwatch()
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
        let measurement = clock.measurement(events: samples.count)
        let check = try AuditVerifier(database: database, key: key).verify()
        guard check == .intact(entries: Int64(samples.count), lastID: Int64(samples.count)) else {
            throw BenchFailure(message: "the benchmark's chain does not verify: \(check)")
        }
        return measurement
    }

    /// Inserts one row per event in transactions of `batchSize` rows and returns rows per second.
    ///
    /// The time and details texts are prepared before the clock starts, so this measures what the
    /// database costs for the rows, not formatting.
    private static func measurePlainInserts(_ database: any Database, _ samples: [AuditEvent]) throws -> Measurement {
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

        let clock = Stopwatch()
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
        return clock.measurement(events: samples.count)
    }
}

/// Events per second of wall time, and CPU time per event.
private struct Measurement: CustomStringConvertible {
    var rate: Double
    var cpuPerEvent: Duration

    var description: String {
        String(format: "%.0f events/s, %.1f us CPU per event", rate, cpuPerEvent.seconds * 1e6)
    }

    /// The median of each figure on its own.
    static func median(_ measurements: [Measurement]) -> Measurement {
        func middle(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            let index = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[index] : (sorted[index - 1] + sorted[index]) / 2
        }
        let cpu = middle(measurements.map(\.cpuPerEvent.seconds))
        return Measurement(rate: middle(measurements.map(\.rate)), cpuPerEvent: .microseconds(cpu * 1e6))
    }
}

/// Wall time and the process's CPU time since it was started.
private struct Stopwatch {
    private let wall = ContinuousClock.now
    private let cpu = Stopwatch.processCPU()

    func measurement(events: Int) -> Measurement {
        let elapsed = (ContinuousClock.now - wall).seconds
        let used = Stopwatch.processCPU() - cpu
        return Measurement(rate: Double(events) / elapsed, cpuPerEvent: used / events)
    }

    private static func processCPU() -> Duration {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func duration(_ time: timeval) -> Duration {
            .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
        }
        return duration(usage.ru_utime) + duration(usage.ru_stime)
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
