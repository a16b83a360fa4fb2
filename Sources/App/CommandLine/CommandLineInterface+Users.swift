import Foundation
import Identity

extension CommandLineInterface {
    static let userUsage = """
        Usage: syncline user SUBCOMMAND

        Manages accounts in the database named by SYNCLINE_DATABASE_URL. Passwords are read from a
        prompt on a terminal (asked twice), else from the first line of standard input; never from
        the command line, where other users of the machine could read them.

        Subcommands:
          add NAME --role admin|viewer   Create a user.
          list                           List users with role and status.
          set-role NAME admin|viewer     Change a role; the user's sessions end.
          disable NAME                   Disable a user; their sessions end at once.
          enable NAME                    Enable a disabled user.
          reset-password NAME            Set a new password; the user's sessions end.

        """

    static func user(_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws
        -> Int32
    {
        guard let subcommand = arguments.first else { throw UsageError(message: "missing subcommand; see --help") }
        let rest = Array(arguments.dropFirst())
        return try CommandLineServices.with(environment) { services in
            let identity = services.identity
            switch (subcommand, rest.count) {
            case ("add", 3) where rest[1] == "--role", ("add", 3) where rest[0] == "--role":
                let name = rest[1] == "--role" ? rest[0] : rest[2]
                let role = try parseRole(rest[1] == "--role" ? rest[2] : rest[1])
                let password = try readPassword(prompt: "Password for \(name): ")
                let user = try identity.createUser(
                    username: name, password: password, role: role, actor: "cli", client: nil)
                output.write("created \(user.role.rawValue) \(user.username) (id \(user.id))\n")
            case ("list", 0):
                output.write(userTable(try identity.users.list()))
            case ("set-role", 2):
                let user = try identity.updateUser(
                    id: try userID(rest[0], identity), role: try parseRole(rest[1]), actor: "cli", client: nil)
                output.write("\(user.username) is now \(user.role.rawValue)\n")
            case ("disable", 1), ("enable", 1):
                let disable = subcommand == "disable"
                let user = try identity.updateUser(
                    id: try userID(rest[0], identity), disabled: disable, actor: "cli", client: nil)
                output.write("\(user.username) is \(user.disabled ? "disabled" : "enabled")\n")
            case ("reset-password", 1):
                let id = try userID(rest[0], identity)
                let password = try readPassword(prompt: "New password for \(rest[0]): ")
                let user = try identity.updateUser(id: id, password: password, actor: "cli", client: nil)
                output.write("password of \(user.username) changed; their sessions have ended\n")
            default:
                throw UsageError(message: "unknown subcommand or wrong arguments: \(arguments.joined(separator: " "))")
            }
            return 0
        }
    }

    private static func parseRole(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else { throw UsageError(message: "role must be admin or viewer") }
        return role
    }

    private static func userID(_ name: String, _ identity: IdentityService) throws -> Int64 {
        guard let username = try? Username.normalize(name),
            let found = try identity.users.credentials(username: username)
        else { throw CommandFailure(message: "no user named \(name)") }
        return found.user.id
    }

    private static func userTable(_ users: [User]) -> String {
        guard !users.isEmpty else { return "No users yet; add one with 'syncline user add NAME --role admin'.\n" }
        let width = max(8, users.map(\.username.count).max() ?? 0)
        var text = "ID    " + "USERNAME".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "ROLE    STATUS\n"
        for user in users {
            text += String(user.id).padding(toLength: 6, withPad: " ", startingAt: 0)
            text += user.username.padding(toLength: width + 2, withPad: " ", startingAt: 0)
            text += user.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            text += (user.disabled ? "disabled" : "active") + "\n"
        }
        return text
    }

    /// A password from a no-echo prompt (asked twice) on a terminal, else standard input's first line.
    static func readPassword(prompt: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure(message: "no password on standard input")
            }
            return line
        }
        let first = try promptWithoutEcho(prompt)
        let second = try promptWithoutEcho("Repeat: ")
        guard first == second else { throw CommandFailure(message: "the passwords do not match") }
        return first
    }

    private static func promptWithoutEcho(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure(message: "no password entered")
        }
        return line
    }
}

/// A command that could not do its work; the message says why, and the exit status is 1.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String

    var description: String { message }
}
