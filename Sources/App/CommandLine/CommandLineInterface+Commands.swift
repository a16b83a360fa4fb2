import Core
import Foundation
import Storage

extension CommandLineInterface {
    static var serveUsage: String {
        var text = """
            Usage: syncline serve

            Runs the HTTP server. Pending migrations are applied first; a database whose schema is
            newer than this binary is refused. SIGTERM or SIGINT stops it gracefully.

            Settings come from environment variables:

            """
        for variable in ConfigurationVariable.all {
            let fallback = variable.defaultValue.isEmpty ? "" : " (default: \(variable.defaultValue))"
            text += "  \(variable.name)\n      \(variable.summary)\(fallback)\n"
        }
        return text
    }

    static let migrateUsage = """
        Usage: syncline migrate [--status]

        Applies pending migrations to the database named by SYNCLINE_DATABASE_URL.

        Options:
          --status    Show the current and newest schema versions and what is pending; change nothing.

        """

    static func serve(_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws
        -> Int32
    {
        guard arguments.isEmpty else { throw UsageError(message: "unexpected argument '\(arguments[0])'") }
        let configuration = try Configuration(environment: environment)
        let logger = Logger(label: "syncline", level: configuration.logLevel)
        let application = try Application(configuration: configuration, logger: logger)
        if let password = try application.createDevelopmentAdminIfNeeded() {
            output.error(
                """

                  A development admin account was created. This password is shown only once:

                      username  admin
                      password  \(password)

                  Sign in at \(configuration.publicURL) and change it under your account.


                """)
        }
        try application.runUntilSignalled()
        return 0
    }

    static func migrate(_ arguments: [String], _ environment: [String: String], _ output: inout CommandOutput) throws
        -> Int32
    {
        let statusOnly = arguments == ["--status"]
        guard arguments.isEmpty || statusOnly else {
            throw UsageError(message: "unexpected argument '\(arguments[0])'")
        }
        let configuration = try Configuration(environment: environment)
        let logger = Logger(label: "syncline", level: configuration.logLevel)
        let database = try openDatabase(configuration, logger: logger, metrics: nil)
        defer { database.close() }
        let migrator = try Migrator(database: database, migrations: ControlSchema.migrations, logger: logger)
        if statusOnly {
            let status = try migrator.status()
            output.write("current version: \(status.currentVersion)\nnewest version:  \(status.latestVersion)\n")
            for migration in status.pending {
                output.write("pending: \(migration.version) \(migration.name)\n")
            }
            return 0
        }
        let applied = try migrator.migrate()
        if applied.isEmpty {
            output.write("The database is up to date.\n")
        }
        for migration in applied {
            output.write("applied \(migration.version) \(migration.name)\n")
        }
        return 0
    }
}
