import Audit
import Core
import Foundation

extension CommandLineInterface {
    static let auditUsage = """
        Usage: syncline audit SUBCOMMAND

        Works on the audit log in the database named by SYNCLINE_DATABASE_URL, with the chain key
        from SYNCLINE_AUDIT_KEY.

        Subcommands:
          verify                        Check every entry's HMAC and link; exit 1 naming the first
                                        bad entry if any was edited, deleted or reordered.
          export [--format csv|jsonl] [--since TIME] [--until TIME]
                                        Write entries, oldest first, to standard output
                                        (default CSV; TIME in RFC 3339).
          prune --older-than DAYS       Delete entries older than DAYS days; the rest still verifies.

        """

    static func audit(_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws
        -> Int32
    {
        guard let subcommand = arguments.first else { throw UsageError(message: "missing subcommand; see --help") }
        let options = try parseOptions(Array(arguments.dropFirst()))
        return try CommandLineServices.with(environment) { services in
            switch subcommand {
            case "verify":
                try options.allow([])
                switch try AuditVerifier(database: services.database, key: services.configuration.auditKey).verify() {
                case .intact(let entries, let lastID):
                    output.write("audit log intact: \(entries) entries checked, last id \(lastID)\n")
                    return 0
                case .broken(let chainBreak):
                    output.error("audit log broken: \(chainBreak)\n")
                    return 1
                }
            case "export":
                try options.allow(["--format", "--since", "--until"])
                let format: AuditExportFormat
                switch options["--format"] ?? "csv" {
                case "csv": format = .csv
                case "jsonl": format = .jsonLines
                case let other: throw UsageError(message: "--format must be csv or jsonl, not \(other)")
                }
                let filter = AuditFilter(from: try options.date("--since"), to: try options.date("--until"))
                let standardOutput = FileHandle.standardOutput
                var written = ""
                try AuditReader(database: services.database).export(filter, as: format) { chunk in
                    if output.passesThrough {
                        standardOutput.write(Data(chunk))
                    } else {
                        written += String(decoding: chunk, as: UTF8.self)
                    }
                }
                output.write(written)
                return 0
            case "prune":
                try options.allow(["--older-than"])
                guard let text = options["--older-than"], let days = Int(text), days >= 0 else {
                    throw UsageError(message: "prune needs --older-than DAYS")
                }
                let cutoff = Date().addingTimeInterval(-Double(days) * 86_400)
                let result = try services.audit.prune(olderThan: cutoff)
                output.write(
                    "removed \(result.removed) entries; the chain now starts after id \(result.prunedThroughID)\n")
                return 0
            default:
                throw UsageError(message: "unknown subcommand '\(subcommand)'; see --help")
            }
        }
    }

    /// `--name value` pairs.
    private static func parseOptions(_ arguments: [String]) throws -> CommandOptions {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else {
                throw UsageError(message: "expected --option VALUE, got '\(name)'")
            }
            values[name] = arguments[index + 1]
            index += 2
        }
        return CommandOptions(values: values)
    }
}

/// Options given as `--name value`.
struct CommandOptions {
    let values: [String: String]

    subscript(name: String) -> String? { values[name] }

    /// Refuses any option not in `names`.
    func allow(_ names: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
            throw UsageError(message: "unknown option \(unknown)")
        }
    }

    /// The option as an RFC 3339 time, or nil when absent.
    func date(_ name: String) throws -> Date? {
        guard let text = values[name] else { return nil }
        guard let date = Timestamp.parse(text) else { throw UsageError(message: "\(name) must be an RFC 3339 time") }
        return date
    }
}
