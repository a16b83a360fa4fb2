import HTTP
import Identity
import Storage
import Sync

/// Every page of the web interface and its assets.
public struct WebPages: Sendable {
    private let identity: IdentityService

    /// Creates the pages over the services they show.
    public init(identity: IdentityService) {
        self.identity = identity
    }

    /// Adds every page and asset route to `router`.
    public func register(on router: inout Router) {
        AssetRoutes().register(on: &router)
        SessionPages(identity: identity).register(on: &router)
    }
}
