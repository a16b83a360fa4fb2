/// Adds the security headers every response carries, and HSTS on TLS connections.
public struct SecurityHeaders: Middleware {
    /// Scripts, styles and images only from this origin; no inline script or style, no framing.
    public static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    public init() {}

    public func respond(to request: Request, next: Responder) throws -> Response {
        var response = try next(request)
        let headers: [(String, String)] = [
            ("Content-Security-Policy", SecurityHeaders.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
        ]
        for (name, value) in headers where !response.headers.contains(name) {
            response.headers.set(name, value)
        }
        if !response.headers.contains("Cache-Control") {
            response.headers.set("Cache-Control", "no-store")
        }
        if request.isSecure {
            response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        }
        return response
    }
}
