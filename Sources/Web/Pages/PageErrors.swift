import Core
import HTTP
import Identity

/// Answers errors of page routes with HTML instead of the API's JSON: a sign-in redirect for a
/// missing session, and error pages for the rest.
///
/// Requests under `/api/` and the operations endpoints pass through untouched, so their clients
/// keep getting JSON.
public struct PageErrors: Middleware {
    /// Creates the middleware.
    public init() {}

    /// Whether `path` belongs to the web pages rather than the API or operations endpoints.
    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics")
    }

    /// Runs the rest of the chain and turns its errors on page routes into pages.
    public func respond(to request: Request, next: Responder) throws -> Response {
        guard Self.isPage(request.path) else { return try next(request) }
        do {
            return try next(request)
        } catch let error as any HTTPResponseError {
            if error.status == 401 {
                let target = request.method == .get ? request.path + Self.query(request) : "/dashboards"
                return .redirect(to: "/login?next=" + PercentEncoding.encodeComponent(target))
            }
            var response = Response.html(
                ErrorPage.render(status: error.status, message: error.message), status: error.status)
            for (name, value) in error.headers where name.lowercased() == "retry-after" || name.lowercased() == "allow"
            {
                response.headers.set(name, value)
            }
            return response
        } catch {
            request.logger.error(
                "unhandled error",
                ["error": String(describing: error), "route": request.route?.template ?? request.path])
            return .html(ErrorPage.render(status: 500, message: ""), status: 500)
        }
    }

    private static func query(_ request: Request) -> String {
        let pairs = request.query.pairs
        guard !pairs.isEmpty else { return "" }
        return "?"
            + pairs.map { PercentEncoding.encodeComponent($0.name) + "=" + PercentEncoding.encodeComponent($0.value) }
            .joined(separator: "&")
    }
}

/// The pages for 403, 404, 429 and 500 (and any other error status).
public enum ErrorPage {
    /// A complete page for `status`; `message` adds the server's own words where they help.
    public static func render(status: Int, message: String) -> HTML {
        let (heading, explanation): (String, String) =
            switch status {
            case 403: ("You can't do that here", "Your account is not allowed to open this page or make this change.")
            case 404: ("Page not found", "There is nothing at this address. It may have been deleted or mistyped.")
            case 405: ("Not allowed", "This page does not accept that kind of request.")
            case 429: ("Slow down", "Too many requests in a short time. Wait a moment, then try again.")
            case 500..<600: ("Something went wrong", "The server could not finish this request. It has been logged.")
            default: ("The request could not be handled", message)
            }
        let detail: HTML =
            status == 403 && !message.isEmpty && status != 500 ? "<p class=\"muted\">\(message)</p>" : .empty
        return Layout.document(
            title: heading,
            body: """
                <main class="error-page">
                  <p class="error-code">\(status)</p>
                  <h1>\(heading)</h1>
                  <p>\(explanation)</p>
                  \(detail)
                  <p><a class="button" href="/dashboards">Back to dashboards</a></p>
                </main>
                """)
    }
}
