import HTTP
import Sync

extension SyncError: HTTPResponseError {
    /// The status a client sees for each kind of sync error.
    public var status: Int {
        switch kind {
        case .invalidDefinition, .invalidQuery, .configuration: 422
        case .notFound: 404
        case .conflict: 409
        case .connection, .sourceData: 502
        case .cancelled, .leaseLost: 409
        case .storage: 500
        }
    }

    /// A stable code per kind.
    public var code: String {
        switch kind {
        case .invalidDefinition, .invalidQuery: "validation_failed"
        case .configuration: "invalid_configuration"
        case .connection, .sourceData: "source_failed"
        default: kind.rawValue
        }
    }
}
