/// Who may call a route.
///
/// Every route declares one; the identity layer enforces it.
public enum Access: String, Sendable, Hashable, CaseIterable {
    /// No sign-in needed (login, health checks).
    case anyone
    /// Any signed-in user: viewers and admins.
    case viewer
    /// Admins only.
    case admin
}

/// What a route declares about itself: access, body rules and documentation.
public struct RouteMetadata: Sendable {
    /// Who may call the route.
    public var access: Access
    /// A one-line description, shown as the operation summary in the OpenAPI document.
    public var summary: String
    /// OpenAPI tags that group the route with related ones.
    public var tags: [String]
    /// Media types accepted for a request body; empty means the route takes no body.
    public var accepts: [String]
    /// The largest body accepted, in bytes; nil uses the server's default.
    public var bodyLimit: Int?
    /// The schema of the request body, shown in the OpenAPI document.
    public var requestSchema: JSONSchema?
    /// Documented responses by status code.
    public var responses: [Int: ResponseDocumentation]
    /// Left out of the OpenAPI document (asset routes, for instance).
    public var hidden: Bool
    /// The handler blocks for long (password hashing), so the server suspends the connection and
    /// runs the request on its blocking-work threads, keeping the connection's thread free for
    /// the other connections it serves.
    public var blocking: Bool
    /// The body is written to a temporary file as it arrives instead of being held in memory, for
    /// uploads larger than memory should hold; the handler finds it at ``Request/bodyFile``.
    public var spoolsBody: Bool

    /// Creates metadata for a documented route that takes no body unless `accepts` lists media types.
    public init(
        access: Access, summary: String, tags: [String] = [], accepts: [String] = [], bodyLimit: Int? = nil,
        requestSchema: JSONSchema? = nil, responses: [Int: ResponseDocumentation] = [:], hidden: Bool = false,
        blocking: Bool = false, spoolsBody: Bool = false
    ) {
        self.access = access
        self.summary = summary
        self.tags = tags
        self.accepts = accepts
        self.bodyLimit = bodyLimit
        self.requestSchema = requestSchema
        self.responses = responses
        self.hidden = hidden
        self.blocking = blocking
        self.spoolsBody = spoolsBody
    }
}

/// One documented response of a route.
public struct ResponseDocumentation: Sendable {
    /// What the response means, shown in the OpenAPI document.
    public var description: String
    /// The media type of the documented body.
    public var contentType: String
    /// The schema of the body; nil documents a response without one.
    public var schema: JSONSchema?

    /// Documents a response, as JSON unless another content type is given.
    public init(_ description: String, contentType: String = "application/json", schema: JSONSchema? = nil) {
        self.description = description
        self.contentType = contentType
        self.schema = schema
    }
}

/// A method and path template bound to a handler, such as `GET /api/v1/sources/{id}`.
public struct Route: Sendable {
    /// The method the route answers; a GET route also answers HEAD.
    public let method: HTTPMethod
    /// The path template, with `{name}` segments for path parameters.
    public let template: String
    /// Access, body rules and documentation the route declared.
    public let metadata: RouteMetadata
    let handler: Responder

    /// The names of the template's `{name}` segments, in order.
    public var parameterNames: [String] {
        RoutePattern(template).segments.compactMap {
            if case .parameter(let name) = $0 { return name }
            return nil
        }
    }
}

/// A path template split into literal and `{parameter}` segments.
struct RoutePattern: Hashable {
    enum Segment: Hashable {
        case literal(Substring)
        case parameter(String)
    }

    let segments: [Segment]

    init(_ template: String) {
        segments = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.first == "{", part.last == "}" {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(part)
        }
    }

    var isStatic: Bool {
        segments.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The decoded parameter values when `pathSegments` fit this pattern.
    func match(_ pathSegments: [Substring]) -> [String: String]? {
        guard pathSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .parameter(let name):
                guard !part.isEmpty, let value = PercentEncoding.decode(part) else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}
