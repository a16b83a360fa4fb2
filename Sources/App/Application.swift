import API
import Audit
import Core
import Dashboards
import Dispatch
import Foundation
import HTTP
import Identity
import Storage
import Sync
import Web

/// The running product: configuration, database, metrics and the HTTP server, wired together.
public final class Application: Sendable {
    /// The validated settings the application was built from.
    public let configuration: Configuration
    /// The root logger; each layer logs through a labeled copy.
    public let logger: Logger
    /// The process's metrics, served at `/metrics`.
    public let metrics: MetricsRegistry
    /// The control database, open and migrated to the newest schema.
    public let database: any Database
    /// The tamper-evident audit log, written through a bounded buffer.
    public let audit: AuditLog
    /// Sign-in, sessions and accounts.
    public let identity: IdentityService
    /// Sources, the sync run queue, its workers and the scheduler.
    public let sync: SyncService
    /// Dashboards, their widgets' queries and the cache of their results.
    public let dashboards: DashboardService
    /// The HTTP server carrying the system routes and any extra routes.
    public let server: HTTPServer
    private let maintenance: Maintenance
    /// The product's version, shown by `syncline version` and in the OpenAPI document.
    public static let version = "0.1.0"

    /// Opens the database, applies pending migrations and builds the server (not yet listening).
    ///
    /// `extraRoutes` lets tools that embed the product (the HTTP benchmark) add routes, given the
    /// open database, that run through the same middleware; `auditLog` lets them size the audit
    /// buffer and its batches (the instruction profile writes only full batches).
    public init(
        configuration: Configuration, logger: Logger, auditLog: AuditLogConfiguration = AuditLogConfiguration(),
        extraRoutes: (inout Router, any Database) -> Void = { _, _ in }
    ) throws {
        self.configuration = configuration
        self.logger = logger
        metrics = MetricsRegistry()
        database = try openDatabase(configuration, logger: logger, metrics: metrics)
        let migrator = try Migrator(database: database, migrations: ControlSchema.migrations, logger: logger)
        let applied = try migrator.migrate()
        if !applied.isEmpty {
            logger.info("migrations applied", ["versions": applied.map { String($0.version) }.joined(separator: ",")])
        }

        for warning in configuration.warnings {
            logger.warning("configuration", ["problem": warning])
        }

        audit = AuditLog(
            database: database, key: configuration.auditKey, configuration: auditLog, logger: logger.labeled("audit"),
            metrics: metrics)
        identity = try IdentityService(
            configuration: configuration.identityConfiguration, database: database, audit: audit,
            policy: try PasswordPolicy(commonPasswordListPath: configuration.passwordListPath),
            logger: logger.labeled("identity"), metrics: metrics)

        try FileManager.default.createDirectory(
            atPath: configuration.server.spoolDirectory, withIntermediateDirectories: true)
        sync = SyncService(
            database: database, environment: syncEnvironment(configuration), configuration: configuration.sync,
            manualSyncThrottle: ManualSyncThrottle(
                perSourcePerMinute: configuration.manualSyncsPerSourcePerMinute,
                perUserPerMinute: configuration.manualSyncsPerUserPerMinute),
            audit: audit, metrics: metrics, logger: logger.labeled("sync"))

        dashboards = DashboardService(database: database, logger: logger.labeled("dashboards"))

        maintenance = Maintenance(
            audit: audit, revocations: RevocationStore(database: database),
            auditRetentionDays: configuration.auditRetentionDays, logger: logger.labeled("maintenance"))

        var router = Router()
        let systemRoutes = SystemRoutes(
            configuration: configuration, metrics: metrics, migrator: migrator)
        systemRoutes.register(on: &router)
        AuthRoutes(identity: identity).register(on: &router)
        UserRoutes(identity: identity).register(on: &router)
        AuditRoutes(database: database).register(on: &router)
        SourceRoutes(sync: sync, audit: audit, uploadLimit: configuration.uploadLimit)
            .register(on: &router)
        SyncRoutes(sync: sync, audit: audit).register(on: &router)
        RecordRoutes(sync: sync).register(on: &router)
        DashboardRoutes(dashboards: dashboards, audit: audit).register(on: &router)
        WebPages(identity: identity, database: database, sync: sync, dashboards: dashboards, audit: audit)
            .register(on: &router)
        if configuration.demo {
            DemoRoutes().register(on: &router)
        }
        extraRoutes(&router, database)
        let middleware: [any Middleware] = [
            RequestMetrics(registry: metrics), AccessLog(logger: logger), SecurityHeaders(), ErrorBoundary(),
            PageErrors(),
            AuditedAccess(
                addresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies), audit: audit,
                recordsAPIAccess: configuration.auditsAPIAccess),
            AccessControl(
                identity: identity, audit: audit,
                serviceTokens: configuration.metricsToken.map { ["/metrics": $0] } ?? [:], metrics: metrics),
        ]
        server = HTTPServer(
            configuration: configuration.server, router: router, middleware: middleware,
            logger: logger.labeled("http"))
        let openAPI = OpenAPIDocument(title: "Syncline", version: Application.version)
            .render(routes: router.routes, pathPrefix: "/api/")
        systemRoutes.openAPIDocument.withLock { $0 = openAPI }
    }

    /// In development, creates the account `admin` with a random password when there are no
    /// users yet, and returns that password so it can be shown once; nil otherwise.
    ///
    /// Production never gets a default account: the first admin comes from `syncline user add`.
    public func createDevelopmentAdminIfNeeded() throws -> String? {
        guard configuration.mode == .development, try identity.users.count() == 0 else { return nil }
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var password = ""
        while password.count < 20 {
            // Bytes past the last whole multiple of the alphabet are skipped, so no letter is likelier.
            for byte in Crypto.randomBytes(32) where Int(byte) < 256 - 256 % alphabet.count && password.count < 20 {
                password.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        _ = try identity.createUser(username: "admin", password: password, role: .admin, actor: "system", client: nil)
        return password
    }

    /// Starts listening and syncing; requests are served and due syncs run from then on.
    ///
    /// With the demo on, an empty database gets the demo sources and their first syncs.
    public func start() throws {
        try server.start()
        sync.start()
        if configuration.demo {
            try DemoSeeder(application: self).seedIfEmpty()
        }
        logger.info(
            "ready",
            [
                "url": configuration.publicURL, "mode": configuration.mode.rawValue,
                "database": database.dialect.rawValue,
            ])
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    ///
    /// Shutting down stops accepting, lets requests in flight finish (up to `gracePeriod`), and
    /// closes the database. `whenReady` runs once the server listens.
    public func runUntilSignalled(gracePeriod: Duration = .seconds(15), whenReady: () -> Void = {}) throws {
        let signalled = DispatchSemaphore(value: 0)
        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { signalled.signal() }
            source.resume()
            return source
        }
        try start()
        whenReady()
        signalled.wait()
        logger.info("shutting down")
        stop(gracePeriod: gracePeriod)
        for source in signals {
            source.cancel()
        }
    }

    /// Stops the server (letting requests in flight finish), brings running syncs to a checkpoint,
    /// writes out the audit buffer and closes the database.
    public func stop(gracePeriod: Duration = .seconds(15)) {
        server.shutdown(gracePeriod: gracePeriod)
        sync.stop()
        maintenance.stop()
        identity.close()
        audit.close()
        database.close()
    }
}

/// Opens the configured database and reports its pool on the metrics registry.
func openDatabase(_ configuration: Configuration, logger: Logger, metrics: MetricsRegistry?) throws -> any Database {
    try DatabaseLocation.open(
        url: configuration.databaseURL, connections: configuration.databasePoolSize, logger: logger.labeled("storage"),
        metrics: metrics)
}

/// The sync layer's surroundings from the configuration.
func syncEnvironment(_ configuration: Configuration) -> SyncEnvironment {
    SyncEnvironment(
        importDirectory: ImportDirectory(path: configuration.importDirectory), egress: configuration.egress,
        variables: configuration.sourceVariables, batchSize: configuration.syncBatchSize,
        makeConnector: SourceConnectors.make)
}
