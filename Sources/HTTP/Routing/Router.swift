/// Maps a method and path to a route; static paths by dictionary, templates by segment match.
public struct Router: Sendable {
    /// The outcome of matching one request line.
    public enum Match: Sendable {
        /// A route matched; `parameters` holds the decoded values of its `{name}` segments.
        case found(Route, parameters: [String: String])
        /// The path exists, but not for this method.
        case methodNotAllowed(allowed: [HTTPMethod])
        /// No route has this path.
        case notFound
    }

    private var staticRoutes: [String: [HTTPMethod: Route]] = [:]
    private var templatedRoutes: [(pattern: RoutePattern, methods: [HTTPMethod: Route])] = []
    /// Every route in registration order, for the OpenAPI document and access checks.
    public private(set) var routes: [Route] = []

    /// Creates a router with no routes.
    public init() {}

    /// Adds a route.
    ///
    /// Registering the same method and template twice is a programming error.
    public mutating func add(
        _ method: HTTPMethod, _ template: String, _ metadata: RouteMetadata, handler: @escaping Responder
    ) {
        precondition(template.hasPrefix("/"), "route templates start with /: \(template)")
        let route = Route(method: method, template: template, metadata: metadata, handler: handler)
        let pattern = RoutePattern(template)
        if pattern.isStatic {
            precondition(staticRoutes[template]?[method] == nil, "duplicate route \(method) \(template)")
            staticRoutes[template, default: [:]][method] = route
        } else if let index = templatedRoutes.firstIndex(where: { $0.pattern == pattern }) {
            precondition(templatedRoutes[index].methods[method] == nil, "duplicate route \(method) \(template)")
            templatedRoutes[index].methods[method] = route
        } else {
            templatedRoutes.append((pattern, [method: route]))
        }
        routes.append(route)
    }

    /// Finds the route for `method` and raw (still percent-encoded) `path`.
    ///
    /// HEAD falls back to GET.
    public func match(method: HTTPMethod, path: Substring) -> Match {
        if let methods = staticRoutes[String(path)] {
            return select(method, from: methods, parameters: [:])
        }
        let segments = Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
        for (pattern, methods) in templatedRoutes {
            if let parameters = pattern.match(segments) {
                return select(method, from: methods, parameters: parameters)
            }
        }
        return .notFound
    }

    private func select(_ method: HTTPMethod, from methods: [HTTPMethod: Route], parameters: [String: String])
        -> Match
    {
        if let route = methods[method] ?? (method == .head ? methods[.get] : nil) {
            return .found(route, parameters: parameters)
        }
        var allowed = Set(methods.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed: HTTPMethod.allCases.filter(allowed.contains))
    }
}
