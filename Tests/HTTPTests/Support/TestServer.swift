import Core
import Foundation

@testable import HTTP

/// Starts a server on an ephemeral loopback port with a few routes that exercise the server.
func startTestServer(
    configure: (inout ServerConfiguration) -> Void = { _ in }, routes: (inout Router) -> Void = { _ in }
) throws -> HTTPServer {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.threads = 2
    configure(&configuration)

    var router = Router()
    router.add(.get, "/hello", RouteMetadata(access: .anyone, summary: "Greets.")) { _ in
        Response.json(Array(#"{"hello":"world"}"#.utf8))
    }
    router.add(
        .post, "/echo",
        RouteMetadata(
            access: .anyone, summary: "Echoes.", accepts: ["application/json"],
            bodyLimit: 1024)
    ) { request in
        Response.json(request.body)
    }
    router.add(.get, "/items/{id}", RouteMetadata(access: .viewer, summary: "One item.")) { request in
        Response.text(try request.parameter("id"))
    }
    router.add(.get, "/slow", RouteMetadata(access: .anyone, summary: "Answers after a pause.")) { request in
        let milliseconds = Int(request.query["ms"] ?? "500") ?? 500
        Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
        return Response.text("done")
    }
    router.add(.get, "/fail", RouteMetadata(access: .anyone, summary: "Throws an unknown error.")) { _ in
        throw CocoaError(.fileNoSuchFile, userInfo: ["secret": "internal detail"])
    }
    router.add(.get, "/stream", RouteMetadata(access: .anyone, summary: "Streams lines.")) { request in
        let count = Int(request.query["lines"] ?? "10") ?? 10
        return Response.stream(contentType: "text/plain") { writer in
            for index in 0..<count { try writer.write("line \(index)\n") }
        }
    }
    routes(&router)

    let logger = Logger(label: "test", level: .warning, sink: MemoryLogSink())
    let server = HTTPServer(
        configuration: configuration, router: router,
        middleware: [SecurityHeaders(), ErrorBoundary()], logger: logger)
    try server.start()
    return server
}
