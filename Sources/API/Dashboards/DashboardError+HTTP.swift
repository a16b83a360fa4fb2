import Dashboards
import HTTP

extension DashboardError: HTTPResponseError {
    /// The status a client sees for each kind of dashboard error.
    public var status: Int {
        switch kind {
        case .invalidDefinition, .sourceMissing: 422
        case .notFound: 404
        case .conflict: 409
        case .storage: 500
        }
    }

    /// A stable code per kind.
    public var code: String {
        switch kind {
        case .invalidDefinition: "validation_failed"
        case .storage: "internal_error"
        default: kind.rawValue
        }
    }
}
