import Audit
import HTTP
import Identity
import Storage
import Sync

/// Every page of the web interface and its assets.
public struct WebPages: Sendable {
    private let identity: IdentityService
    private let sync: SyncService
    private let records: RecordReader
    private let audit: any AuditRecorder
    private let throttle: ManualSyncThrottle

    /// Creates the pages over the services they show; `throttle` is the one the API's manual syncs use.
    public init(
        identity: IdentityService, sync: SyncService, records: RecordReader, audit: any AuditRecorder,
        throttle: ManualSyncThrottle
    ) {
        self.identity = identity
        self.sync = sync
        self.records = records
        self.audit = audit
        self.throttle = throttle
    }

    /// Adds every page and asset route to `router`.
    public func register(on router: inout Router) {
        AssetRoutes().register(on: &router)
        SessionPages(identity: identity).register(on: &router)
        SourcePages(identity: identity, sync: sync, records: records, audit: audit, throttle: throttle)
            .register(on: &router)
    }
}
