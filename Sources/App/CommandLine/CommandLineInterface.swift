import Core
import Foundation
import HTTP
import Storage

/// The `syncline` command: parses arguments by hand and runs one subcommand.
public struct CommandLineInterface {
    /// A subcommand: its name, one-line summary, help text and action.
    struct Command {
        let name: String
        let summary: String
        let usage: String
        let run: (_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws -> Int32
    }

    let commands: [Command]

    /// Creates the command line with its subcommands.
    public init() {
        commands = [
            Command(
                name: "serve", summary: "Run the server until SIGTERM or SIGINT.",
                usage: CommandLineInterface.serveUsage, run: CommandLineInterface.serve),
            Command(
                name: "migrate", summary: "Apply pending database migrations, or show their status.",
                usage: CommandLineInterface.migrateUsage, run: CommandLineInterface.migrate),
            Command(
                name: "user", summary: "Add, list and change user accounts.",
                usage: CommandLineInterface.userUsage, run: CommandLineInterface.user),
            Command(
                name: "source", summary: "Add, list, show and remove data sources.",
                usage: CommandLineInterface.sourceUsage, run: CommandLineInterface.source),
            Command(
                name: "sync", summary: "Run a sync now and follow its progress.",
                usage: CommandLineInterface.syncUsage, run: CommandLineInterface.sync),
            Command(
                name: "audit", summary: "Verify, export or prune the audit log.",
                usage: CommandLineInterface.auditUsage, run: CommandLineInterface.audit),
            Command(
                name: "version", summary: "Print the version.",
                usage: "Usage: syncline version\n\nPrints the version of this binary.\n",
                run: { _, _, output in
                    output.write("syncline \(Application.version)\n")
                    return 0
                }),
        ]
    }

    /// Runs the command line `arguments` (without the program name) and returns the exit status.
    public func run(_ arguments: [String], environment: [String: String], output: inout CommandOutput) -> Int32 {
        guard let name = arguments.first, !["-h", "--help", "help"].contains(name) else {
            if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
                output.write(command.usage)
            } else {
                output.write(overview)
            }
            return arguments.isEmpty ? 64 : 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            output.error("syncline: unknown command '\(name)'. Run 'syncline --help' for the list.\n")
            return 64
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            output.write(command.usage)
            return 0
        }
        do {
            return try command.run(rest, environment, &output)
        } catch let error as ConfigurationError {
            output.error(error.problems.map { "syncline: configuration: \($0)\n" }.joined())
            return 78
        } catch let error as UsageError {
            output.error("syncline \(name): \(error.message)\n")
            return 64
        } catch let error as any HTTPResponseError {
            let fields = error.fields.sorted { $0.key < $1.key }.map { " \($0.key): \($0.value)" }.joined()
            output.error("syncline \(name): \(error.message)\(fields)\n")
            return 1
        } catch {
            output.error("syncline \(name): \(error)\n")
            return 1
        }
    }

    private var overview: String {
        var text =
            "Usage: syncline COMMAND [OPTIONS]\n\n"
            + "Syncline keeps a synced copy of your data and shows it as dashboards.\n\n"
        text += "Commands:\n"
        for command in commands {
            text += "  " + command.name.padding(toLength: 10, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += "\nRun 'syncline COMMAND --help' for a command's options.\n"
        return text
    }
}

/// A mistake in the command line itself.
struct UsageError: Error {
    let message: String
}

/// Where a command writes: standard output and error in the binary, buffers in tests.
public struct CommandOutput {
    /// What was written to standard output; stays empty when writes pass through.
    public private(set) var standardOutput = ""
    /// What was written to standard error; stays empty when writes pass through.
    public private(set) var standardError = ""
    private let passThrough: Bool

    /// Whether writes go straight to the process's streams.
    var passesThrough: Bool { passThrough }

    /// Writes through to the process's standard streams when `passThrough` is true.
    public init(passThrough: Bool) {
        self.passThrough = passThrough
    }

    mutating func write(_ text: String) {
        if passThrough {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            standardOutput += text
        }
    }

    mutating func error(_ text: String) {
        if passThrough {
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            standardError += text
        }
    }
}
