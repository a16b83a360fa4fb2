/// Produces the response for a request; the end of a middleware chain is the router.
public typealias Responder = @Sendable (Request) throws -> Response

/// A step around request handling: it may change the request, answer early, or change the response.
public protocol Middleware: Sendable {
    /// Handles `request`, calling `next` to pass it on down the chain.
    func respond(to request: Request, next: Responder) throws -> Response
}

extension Array where Element == any Middleware {
    /// Wraps `responder` so that the first middleware runs first.
    public func wrapping(_ responder: @escaping Responder) -> Responder {
        reversed().reduce(responder) { next, middleware in
            { request in try middleware.respond(to: request, next: next) }
        }
    }
}
