import Foundation
import HTTP
import TestSupport
import Testing

/// A signed-in browser: GETs carry the session cookie, form POSTs the CSRF token and `Origin`.
struct Browser {
    let app: RunningApplication
    let session: BrowserSession

    init(_ app: RunningApplication, _ username: String) throws {
        self.init(app, session: try app.browserSession(username))
    }

    init(_ app: RunningApplication, session: BrowserSession) {
        self.app = app
        self.session = session
    }

    func get(_ path: String) throws -> RawHTTPClient.Reply {
        try app.client().request("GET", path, headers: [("Cookie", "syncline_session=\(session.cookie)")])
    }

    /// Posts `fields` as a form, with the CSRF token unless `csrf` is false, from `origin` (none when nil).
    func post(
        _ path: String, _ fields: [String: String], csrf: Bool = true, origin: String? = "http://127.0.0.1:8080"
    ) throws -> RawHTTPClient.Reply {
        var pairs = fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if csrf { pairs.append(("csrf_token", session.csrfToken)) }
        let body = pairs.map { PercentEncoding.encodeComponent($0.0) + "=" + PercentEncoding.encodeComponent($0.1) }
            .joined(separator: "&")
        var headers = [
            ("Cookie", "syncline_session=\(session.cookie)"), ("Content-Type", "application/x-www-form-urlencoded"),
        ]
        if let origin { headers.append(("Origin", origin)) }
        return try app.client().request("POST", path, headers: headers, body: Array(body.utf8))
    }
}

/// Checks that `reply` is an HTML page under the strict CSP with no inline script or style.
func expectSafePage(_ reply: RawHTTPClient.Reply, sourceLocation: SourceLocation = #_sourceLocation)
    throws
{
    let policy = try #require(reply.header("Content-Security-Policy"), sourceLocation: sourceLocation)
    #expect(!policy.contains("unsafe-inline"), sourceLocation: sourceLocation)
    #expect(reply.header("Content-Type")?.hasPrefix("text/html") == true, sourceLocation: sourceLocation)
    let page = reply.text
    #expect(!page.contains("style="), sourceLocation: sourceLocation)
    #expect(!page.contains("<style"), sourceLocation: sourceLocation)
    #expect(page.firstMatch(of: #/\son[a-z]+=/#) == nil, "an inline event handler", sourceLocation: sourceLocation)
    for script in page.components(separatedBy: "<script").dropFirst() {
        #expect(script.hasPrefix(" src=\"/static/"), "an inline script", sourceLocation: sourceLocation)
        #expect(script.contains("></script>"), sourceLocation: sourceLocation)
    }
}
