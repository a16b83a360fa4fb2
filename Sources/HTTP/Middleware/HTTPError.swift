import Core

/// An error that knows how it should look to a client: status, stable code and message.
///
/// Errors of every layer conform to this (or are wrapped) at one boundary, `ErrorBoundary`;
/// anything else becomes a generic 500 whose detail goes only to the log.
public protocol HTTPResponseError: Error {
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
    public var fields: [String: String] { [:] }
    public var headers: HTTPHeaders { HTTPHeaders() }
}

/// The HTTP layer's own errors.
public struct HTTPError: HTTPResponseError, Equatable {
    public let status: Int
    public let code: String
    public let message: String
    public let fields: [String: String]
    public let headers: HTTPHeaders

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

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message && lhs.fields == rhs.fields
    }

    public static func badRequest(_ message: String) -> HTTPError {
        HTTPError(status: 400, code: "bad_request", message: message)
    }

    public static func notFound(_ message: String = "No such resource.") -> HTTPError {
        HTTPError(status: 404, code: "not_found", message: message)
    }

    public static func methodNotAllowed(allowed: [HTTPMethod]) -> HTTPError {
        var headers = HTTPHeaders()
        headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
        return HTTPError(
            status: 405, code: "method_not_allowed", message: "This method is not allowed here.",
            headers: headers)
    }

    public static func payloadTooLarge(limit: Int) -> HTTPError {
        HTTPError(status: 413, code: "payload_too_large", message: "The request body exceeds \(limit) bytes.")
    }

    public static func unsupportedMediaType(accepted: [String]) -> HTTPError {
        HTTPError(
            status: 415, code: "unsupported_media_type",
            message: "Send the body as \(accepted.joined(separator: " or ")).")
    }

    public static func unprocessable(_ message: String, fields: [String: String] = [:]) -> HTTPError {
        HTTPError(status: 422, code: "validation_failed", message: message, fields: fields)
    }

    public static let internalError = HTTPError(
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
    public init() {}

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
            return ErrorBoundary.response(for: HTTPError.internalError)
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
