import Audit
import Dashboards
import HTTP
import Identity
import Storage
import Sync

/// Every page of the web interface and its assets.
public struct WebPages: Sendable {
    private let identity: IdentityService
    private let database: any Database
    private let sync: SyncService
    private let dashboards: DashboardService
    private let audit: any AuditRecorder

    /// Creates the pages over the services they show and the control database.
    public init(
        identity: IdentityService, database: any Database, sync: SyncService, dashboards: DashboardService,
        audit: any AuditRecorder
    ) {
        self.identity = identity
        self.database = database
        self.sync = sync
        self.dashboards = dashboards
        self.audit = audit
    }

    /// Adds every page and asset route to `router`.
    public func register(on router: inout Router) {
        AssetRoutes().register(on: &router)
        SessionPages(identity: identity).register(on: &router)
        UserPages(identity: identity).register(on: &router)
        AccountPages(identity: identity).register(on: &router)
        AuditPages(identity: identity, reader: AuditReader(database: database)).register(on: &router)
        DashboardPages(identity: identity, dashboards: dashboards, sync: sync, audit: audit).register(on: &router)
        SourcePages(identity: identity, sync: sync, audit: audit).register(on: &router)
    }
}
