/// The request methods the server routes.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"

    /// Whether the method may change state; unsafe methods need stronger checks (CSRF, roles).
    public var isSafe: Bool { self == .get || self == .head || self == .options }
}
