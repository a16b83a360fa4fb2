import Audit
import Core
import Foundation
import Identity
import Storage
import Sync

/// What the account and audit commands work with: the migrated database, the audit log and
/// the identity service, built from the same configuration as the server.
struct CommandLineServices {
    let configuration: Configuration
    let database: any Database
    let audit: AuditLog
    let identity: IdentityService
    let sync: SyncService

    /// Opens everything, runs `body`, and closes it again, flushing the audit log.
    static func with<T>(_ environment: [String: String], _ body: (CommandLineServices) throws -> T) throws -> T {
        let configuration = try Configuration(environment: environment)
        // Commands print for people; only warnings and errors of the layers below are of interest.
        let logger = Logger(label: "syncline", level: .warning, sink: StandardStreamSink.standardError)
        let database = try openDatabase(configuration, logger: logger, metrics: nil)
        defer { database.close() }
        try Migrator(database: database, migrations: ControlSchema.migrations, logger: logger).migrate()
        let audit = AuditLog(database: database, key: configuration.auditKey, logger: logger)
        defer { audit.close() }
        let identity = try IdentityService(
            configuration: configuration.identityConfiguration, database: database, audit: audit,
            policy: try PasswordPolicy(commonPasswordListPath: configuration.passwordListPath), logger: logger)
        defer { identity.close() }
        let sync = SyncService(
            database: database, environment: syncEnvironment(configuration), configuration: configuration.sync,
            audit: audit, metrics: nil, logger: logger)
        return try body(
            CommandLineServices(
                configuration: configuration, database: database, audit: audit, identity: identity, sync: sync))
    }
}
