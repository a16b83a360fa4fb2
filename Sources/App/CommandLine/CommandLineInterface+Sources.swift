import Audit
import Core
import Foundation
import Sync

extension CommandLineInterface {
    static let sourceUsage = """
        Usage: syncline source SUBCOMMAND

        Manages data sources in the database named by SYNCLINE_DATABASE_URL. A source is defined
        in a JSON file (docs/sources.md shows every option); secrets are never in the file, only the
        names of SYNCLINE_SOURCE_* variables that hold them when a sync runs.

        Subcommands:
          add FILE            Create a source from a JSON definition ('-' reads standard input).
          list                List sources with their kind, mode, record count and last sync.
          show NAME|ID        Print a source's definition and state as JSON.
          rm NAME|ID          Delete a source, its records and its sync history.

        """

    static let syncUsage = """
        Usage: syncline sync run NAME|ID

        Queues a sync of the source and runs it in this process, unless a running server's worker
        takes it first; either way it follows the run to its end. On a terminal it draws a progress
        line; otherwise it prints a line every few seconds. Exits 0 when the sync succeeds, 1 when
        it fails or is cancelled.

        """

    static func source(_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws
        -> Int32
    {
        guard let subcommand = arguments.first else { throw UsageError(message: "missing subcommand; see --help") }
        let rest = Array(arguments.dropFirst())
        return try CommandLineServices.with(environment) { services in
            let sources = services.sync.sources
            switch (subcommand, rest.count) {
            case ("add", 1):
                let bytes =
                    rest[0] == "-"
                    ? Array(FileHandle.standardInput.readDataToEndOfFile())
                    : Array(try Data(contentsOf: URL(fileURLWithPath: rest[0])))
                let source = try sources.create(try SourceDefinition(jsonText: bytes))
                services.audit.record(
                    AuditEvent(
                        actor: "cli", action: "source.create", target: "source:\(source.name)", outcome: .success))
                output.write("created \(source.definition.kind.rawValue) source \(source.name) (id \(source.id))\n")
            case ("list", 0):
                output.write(sourceTable(try sources.list()))
            case ("show", 1):
                let source = try find(rest[0], in: sources)
                output.write(try describe(source) + "\n")
            case ("rm", 1):
                let source = try find(rest[0], in: sources)
                try sources.delete(id: source.id)
                services.audit.record(
                    AuditEvent(
                        actor: "cli", action: "source.delete", target: "source:\(source.name)", outcome: .success))
                output.write("deleted source \(source.name) and its records\n")
            default:
                throw UsageError(message: "unknown subcommand or wrong arguments: \(arguments.joined(separator: " "))")
            }
            return 0
        }
    }

    static func sync(_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws
        -> Int32
    {
        guard arguments.count == 2, arguments[0] == "run" else {
            throw UsageError(message: "write 'syncline sync run NAME|ID'")
        }
        return try CommandLineServices.with(environment) { services in
            let source = try find(arguments[1], in: services.sync.sources)
            let queued = try services.sync.requestSync(sourceID: source.id, requestedBy: "cli")
            let runner = Thread { _ = try? services.sync.executeHere(runID: queued.id) }
            runner.start()
            let progress = SyncProgressPrinter(interactive: output.passesThrough && isatty(STDOUT_FILENO) == 1)
            var run = queued
            while true {
                run = try services.sync.queue.find(id: queued.id) ?? run
                if let line = progress.line(for: run, source: source.name) { output.write(line) }
                if run.status.isFinished { break }
                Thread.sleep(forTimeInterval: 0.25)
            }
            while runner.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
            output.write(progress.summary(of: run, source: source.name))
            return run.status == .succeeded ? 0 : 1
        }
    }

    private static func find(_ nameOrID: String, in sources: SourceStore) throws -> Source {
        if let id = Int64(nameOrID), let source = try sources.find(id: id) { return source }
        guard let source = try sources.find(name: nameOrID) else {
            throw CommandFailure(message: "no source named \(nameOrID)")
        }
        return source
    }

    private static func describe(_ source: Source) throws -> String {
        struct Description: Encodable {
            let id: Int64
            let definition: SourceDefinition
            let recordCount: Int64
            let cursor: String?
            let lastSyncedAt: String?
            let nextSyncAt: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let description = Description(
            id: source.id, definition: source.definition, recordCount: source.recordCount, cursor: source.cursor,
            lastSyncedAt: source.lastSyncedAt.map { Timestamp.rfc3339($0) },
            nextSyncAt: source.nextSyncAt.map { Timestamp.rfc3339($0) })
        return String(decoding: try encoder.encode(description), as: UTF8.self)
    }

    private static func sourceTable(_ sources: [Source]) -> String {
        guard !sources.isEmpty else { return "No sources yet; add one with 'syncline source add FILE'.\n" }
        let width = max(6, sources.map(\.name.count).max() ?? 0)
        var text = "ID    " + "NAME".padding(toLength: width + 2, withPad: " ", startingAt: 0)
        text += "KIND      MODE         RECORDS     LAST SYNC\n"
        for source in sources {
            text += String(source.id).padding(toLength: 6, withPad: " ", startingAt: 0)
            text += source.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
            text += source.definition.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            text += source.definition.mode.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
            text += String(source.recordCount).padding(toLength: 12, withPad: " ", startingAt: 0)
            text += (source.lastSyncedAt.map { Timestamp.rfc3339($0) } ?? "never") + "\n"
        }
        return text
    }
}

/// Prints a run's progress: a redrawn line on a terminal, a plain line every few seconds otherwise.
final class SyncProgressPrinter {
    private let interactive: Bool
    private var lastPrinted = Date.distantPast
    private var lastPhase = ""

    init(interactive: Bool) {
        self.interactive = interactive
    }

    func line(for run: SyncRun, source: String) -> String? {
        let now = Date()
        let rate = run.recordsPerSecond(now: now).map { " \(Int($0)) records/s" } ?? ""
        let elapsed = run.elapsedSeconds(now: now).map { String(format: " %.1fs", $0) } ?? ""
        let text =
            "\(source): \(run.phase) \(run.recordsRead) read, \(run.recordsWritten) written, "
            + "\(run.pages) batches\(rate)\(elapsed)"
        if interactive {
            let spinner = ["|", "/", "-", "\\"][Int(now.timeIntervalSince1970 * 4) % 4]
            return "\r\u{1B}[2K\(spinner) \(text)"
        }
        guard now.timeIntervalSince(lastPrinted) >= 5 || run.phase != lastPhase else { return nil }
        lastPrinted = now
        lastPhase = run.phase
        return text + "\n"
    }

    func summary(of run: SyncRun, source: String) -> String {
        let prefix = interactive ? "\r\u{1B}[2K" : ""
        let elapsed = run.elapsedSeconds().map { String(format: " in %.1fs", $0) } ?? ""
        switch run.status {
        case .succeeded:
            return prefix + "\(source): sync \(run.id) succeeded: \(run.recordsRead) records read, "
                + "\(run.recordsWritten) written\(elapsed)\n"
        case .cancelled:
            return prefix + "\(source): sync \(run.id) was cancelled after \(run.recordsRead) records\n"
        default:
            return prefix + "\(source): sync \(run.id) \(run.status.rawValue): \(run.error ?? "no reason recorded")\n"
        }
    }
}
