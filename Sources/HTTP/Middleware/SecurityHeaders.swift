/// Adds the security headers every response carries, and HSTS on TLS connections.
public struct SecurityHeaders: Middleware {
    /// Scripts, styles and images only from this origin; no inline script or style, no framing.
    public static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Creates the middleware; the header values are fixed.
    public init() {}

    /// Sent unless the handler set its own value; `Cache-Control: no-store` keeps signed-in pages
    /// out of shared caches.
    private static let defaults: [(name: String, value: String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    /// Passes the request on, then adds any security header the response lacks.
    public func respond(to request: Request, next: Responder) throws -> Response {
        var response = try next(request)
        // The defaults, HSTS and the X-Request-Id the server adds last.
        response.headers.reserveCapacity(forAdditional: SecurityHeaders.defaults.count + 2)
        for (name, value) in SecurityHeaders.defaults where !response.headers.contains(name) {
            response.headers.add(name, value)
        }
        if request.isSecure {
            response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        }
        return response
    }
}
