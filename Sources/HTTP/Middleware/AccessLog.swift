import Core
import Foundation

/// Writes one structured line per request: method, route, status, duration, client.
///
/// Lines are at `info`, so production logs carry them; raise the level to `warning` to silence them.
public struct AccessLog: Middleware {
    private let enabled: Bool

    /// Logs through each request's own logger when `logger` has `info` enabled.
    public init(logger: Logger) {
        enabled = logger.isEnabled(.info)
    }

    /// Passes the request on, then logs the outcome and how long it took.
    public func respond(to request: Request, next: Responder) throws -> Response {
        guard enabled else { return try next(request) }
        let started = ContinuousClock.now
        let response = try next(request)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) * 1e-15 + Double(elapsed.components.seconds) * 1e3
        request.logger.info(
            "request",
            [
                "method": request.method.rawValue,
                "path": request.path,
                "route": request.route?.template ?? "unmatched",
                "status": String(response.status),
                "durationMs": String(format: "%.3f", milliseconds),
                "client": request.remoteAddress.description,
            ])
        return response
    }
}
