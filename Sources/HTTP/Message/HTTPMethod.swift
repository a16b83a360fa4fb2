/// The request methods the server routes.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    /// Reads a resource.
    case get = "GET"
    /// Like GET without the body; a GET route answers it unless a HEAD route exists.
    case head = "HEAD"
    /// Creates a resource or starts an action.
    case post = "POST"
    /// Replaces a resource.
    case put = "PUT"
    /// Changes part of a resource.
    case patch = "PATCH"
    /// Removes a resource.
    case delete = "DELETE"
    /// Asks which methods a path supports.
    case options = "OPTIONS"

    /// Whether the method may change state; unsafe methods need stronger checks (CSRF, roles).
    public var isSafe: Bool { self == .get || self == .head || self == .options }
}
