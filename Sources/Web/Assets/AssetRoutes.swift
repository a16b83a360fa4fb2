import Core
import HTTP

/// Serves the stylesheet, the script and the logo, with validators so browsers revalidate cheaply.
public struct AssetRoutes: Sendable {
    /// Creates the routes.
    public init() {}

    private static let assets: [(path: String, type: String, body: String)] = [
        ("/static/app.css", "text/css; charset=utf-8", Stylesheet.text + "\n" + Charts.stylesheet),
        ("/static/app.js", "text/javascript; charset=utf-8", Script.text),
        ("/static/logo.svg", "image/svg+xml", Logo.svg),
    ]

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        for asset in Self.assets {
            let tag = "\"" + Crypto.hex(Crypto.sha256(Array(asset.body.utf8)).prefix(12)) + "\""
            router.add(
                .get, asset.path,
                RouteMetadata(access: .anyone, summary: "A static asset.", tags: ["pages"], hidden: true)
            ) { request in
                if request.headers["If-None-Match"] == tag {
                    var response = Response(status: 304)
                    response.headers.set("ETag", tag)
                    return response
                }
                var response = Response.text(asset.body, contentType: asset.type)
                response.headers.set("ETag", tag)
                response.headers.set("Cache-Control", "public, max-age=300")
                return response
            }
        }
    }
}
