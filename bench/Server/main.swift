import App
import Audit
import Core
import Foundation
import HTTP
import Storage

// The server measured by bench/http: the product's full HTTP stack (middleware, metrics, access
// log, security headers) with two extra routes, a trivial JSON object and a 50-row page read
// from a 1,000,000-row SQLite table of 12 mixed columns. `audit` is bench/audit's measurement of
// the audit log's write rate; `identity` measures bench/identity's references (raw Argon2id
// verifies, JWT checks).

let usage = """
    Usage: syncline-bench-server seed --database PATH [--rows N]
           syncline-bench-server serve --database PATH --listen ADDRESS:PORT
           syncline-bench-server audit [--events N] [--threads N] [--runs N]
           syncline-bench-server identity [--seconds N]

    """

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(64)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(usage) }
let logger = Logger(label: "bench", level: .warning)

func databasePath() -> String {
    guard let path = option("--database", in: arguments) else { fail(usage) }
    return path
}

func count(_ name: String, default value: Int) -> Int {
    guard let text = option(name, in: arguments) else { return value }
    guard let number = Int(text), number > 0 else { fail("\(name) must be a positive number\n\n" + usage) }
    return number
}

switch command {
case "seed":
    let path = databasePath()
    let rows = Int(option("--rows", in: arguments) ?? "1000000") ?? 1_000_000
    let database = try SQLiteDatabase(path: path, readers: 1, logger: logger)
    try BenchTable.seed(database, rows: rows)
    database.close()
case "serve":
    let path = databasePath()
    guard let listen = option("--listen", in: arguments) else { fail(usage) }
    var environment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("SYNCLINE_") }
    environment["SYNCLINE_DATABASE_URL"] = "sqlite:" + path
    environment["SYNCLINE_LISTEN"] = listen
    environment["SYNCLINE_LOG_LEVEL"] = environment["SYNCLINE_LOG_LEVEL"] ?? "warning"
    // The demo's first syncs would run beside the load and be measured with it.
    environment["SYNCLINE_DEMO"] = environment["SYNCLINE_DEMO"] ?? "false"
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    environment["SYNCLINE_IMPORT_DIR"] = environment["SYNCLINE_IMPORT_DIR"] ?? folder + "/import"
    environment["SYNCLINE_HTTP_MAX_CONNECTIONS_PER_IP"] = environment["SYNCLINE_HTTP_MAX_CONNECTIONS_PER_IP"] ?? "512"
    // The load comes from one address and one user; the limits would measure themselves.
    for limit in ["SYNCLINE_RATE_LIMIT_PER_IP", "SYNCLINE_RATE_LIMIT_PER_USER"] where environment[limit] == nil {
        environment[limit] = "0"
    }
    let configuration = try Configuration(environment: environment)
    // bench/audit/profile waits long enough for the audit writer to write only full batches, as
    // it does under load, so the profile does not depend on how fast the server runs under valgrind.
    var auditLog = AuditLogConfiguration()
    if let text = ProcessInfo.processInfo.environment["BENCH_AUDIT_FLUSH_SECONDS"] {
        guard let seconds = Int(text), seconds > 0 else { fail("BENCH_AUDIT_FLUSH_SECONDS must be a positive number") }
        auditLog.flushInterval = .seconds(seconds)
    }
    let application = try Application(configuration: configuration, logger: logger, auditLog: auditLog) {
        router, database in
        BenchTable.register(on: &router, database: database)
    }
    try application.runUntilSignalled {
        FileHandle.standardOutput.write(Data("listening on \(listen)\n".utf8))
    }
case "audit":
    try AuditBench.run(
        events: count("--events", default: 200_000), threads: count("--threads", default: 4),
        runs: count("--runs", default: 3), logger: logger)
case "identity":
    try IdentityBench.run(seconds: count("--seconds", default: 5))
default:
    fail(usage)
}
