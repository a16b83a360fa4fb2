import Core

/// An error that knows how it should look to a client: status, stable code and message.
///
/// Errors of every layer conform to this (or are wrapped) at one boundary, `ErrorBoundary`;
/// anything else becomes a generic 500 whose detail goes only to the log.
public protocol HTTPResponseError: Error {
    /// The HTTP status code sent to the client.
    var status: Int { get }
    /// A stable machine-readable code such as `not_found`.
    var code: String { get }
    /// A message safe to show the client.
    var message: String { get }
    /// Per-field validation messages, for 422 responses.
    var fields: [String: String] { get }
    /// Extra headers, such as `Allow` on 405 or `Retry-After` on 429.
    var headers: HTTPHeaders { get }
}

extension HTTPResponseError {
    /// No field messages, for errors that are not about validation.
    public var fields: [String: String] { [:] }
    /// No extra headers, for errors whose status says enough.
    public var headers: HTTPHeaders { HTTPHeaders() }
}

/// The HTTP layer's own errors.
public struct HTTPError: HTTPResponseError, Equatable {
    /// The HTTP status code sent to the client.
    public let status: Int
    /// A stable machine-readable code such as `not_found`.
    public let code: String
    /// A message safe to show the client.
    public let message: String
    /// Per-field validation messages, empty unless the status is 422.
    public let fields: [String: String]
    /// Extra response headers, such as `Allow` on 405.
    public let headers: HTTPHeaders

    /// Creates an error with any status and code, for cases the named constructors do not cover.
    public init(
        status: Int, code: String, message: String, fields: [String: String] = [:],
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    /// Compares everything the client sees in the body; headers are left out.
    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message && lhs.fields == rhs.fields
    }

    /// A 400 for a request that cannot be parsed or makes no sense.
    public static func badRequest(_ message: String) -> HTTPError {
        HTTPError(status: 400, code: "bad_request", message: message)
    }

    /// A 404 for an unknown route or a resource that does not exist.
    public static func notFound(_ message: String = "No such resource.") -> HTTPError {
        HTTPError(status: 404, code: "not_found", message: message)
    }

    /// A 405 whose `Allow` header lists the methods the route does accept.
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> HTTPError {
        var headers = HTTPHeaders()
        headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
        return HTTPError(
            status: 405, code: "method_not_allowed", message: "This method is not allowed here.",
            headers: headers)
    }

    /// A 413 for a body longer than the route's limit of `limit` bytes.
    public static func payloadTooLarge(limit: Int) -> HTTPError {
        HTTPError(status: 413, code: "payload_too_large", message: "The request body exceeds \(limit) bytes.")
    }

    /// A 415 that names the media types the route accepts.
    public static func unsupportedMediaType(accepted: [String]) -> HTTPError {
        HTTPError(
            status: 415, code: "unsupported_media_type",
            message: "Send the body as \(accepted.joined(separator: " or ")).")
    }

    /// A 422 for a well-formed request whose values fail validation, with messages per field.
    public static func unprocessable(_ message: String, fields: [String: String] = [:]) -> HTTPError {
        HTTPError(status: 422, code: "validation_failed", message: message, fields: fields)
    }

    /// The generic 500 sent for any unexpected failure; the detail goes only to the log.
    public static let serverFault = HTTPError(
        status: 500, code: "internal_error", message: "Something went wrong on our side.")
}

/// Renders `{"error": {"code", "message", "fields"?}}`.
public func errorBody(code: String, message: String, fields: [String: String] = [:]) -> [UInt8] {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("error")
    writer.beginObject()
    writer.key("code")
    writer.string(code)
    writer.key("message")
    writer.string(message)
    if !fields.isEmpty {
        writer.key("fields")
        writer.beginObject()
        for name in fields.keys.sorted() {
            writer.key(name)
            writer.string(fields[name]!)
        }
        writer.endObject()
    }
    writer.endObject()
    writer.endObject()
    return writer.bytes
}

/// Turns every error thrown below it into a response: known errors keep their status and message,
/// unknown ones become a generic 500 with the detail only in the log.
public struct ErrorBoundary: Middleware {
    /// Creates the boundary; it has no settings.
    public init() {}

    /// Runs the rest of the chain and turns anything it throws into an error response.
    public func respond(to request: Request, next: Responder) -> Response {
        do {
            return try next(request)
        } catch let error as any HTTPResponseError {
            return ErrorBoundary.response(for: error)
        } catch {
            request.logger.error(
                "unhandled error",
                [
                    "error": String(describing: error),
                    "route": request.route?.template ?? request.path,
                ])
            return ErrorBoundary.response(for: HTTPError.serverFault)
        }
    }

    /// The response a known error maps to.
    public static func response(for error: any HTTPResponseError) -> Response {
        var response = Response.json(
            errorBody(code: error.code, message: error.message, fields: error.fields),
            status: error.status)
        for (name, value) in error.headers {
            response.headers.set(name, value)
        }
        return response
    }
}
