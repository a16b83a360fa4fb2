import Foundation
import TestSupport
import Testing

@testable import HTTP

/// Routes declared `blocking` run off the connection threads while their connections wait.
@Suite("Blocking routes") struct BlockingRouteTests {
    /// One connection thread, so any handler that holds it stalls every other connection.
    private static func startServer() throws -> HTTPServer {
        try startTestServer(
            configure: { $0.threads = 1 },
            routes: { router in
                router.add(
                    .post, "/hash", RouteMetadata(access: .anyone, summary: "Works for a while.", blocking: true)
                ) { request in
                    let milliseconds = Int(request.query["ms"] ?? "600") ?? 600
                    Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
                    return Response.text("hashed")
                }
            })
    }

    /// Sends `GET /hello` on a new connection and returns how long the answer took.
    private static func timeHello(_ server: HTTPServer) throws -> Double {
        let client = try RawHTTPClient(port: server.port)
        let started = ContinuousClock.now
        #expect(try client.request("GET", "/hello").status == 200)
        return (ContinuousClock.now - started).seconds
    }

    @Test func otherConnectionsAreServedWhileABlockingRequestWorks() throws {
        let server = try Self.startServer()
        defer { server.shutdown() }
        let worker = try RawHTTPClient(port: server.port)
        try worker.send("POST /hash?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try Self.timeHello(server) < 0.4)
        let reply = try worker.readReply()
        #expect(reply.status == 200)
        #expect(reply.text == "hashed")
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        // The resumed connection stays alive for the next request.
        #expect(try worker.request("GET", "/hello").status == 200)
        #expect(try worker.request("POST", "/hash?ms=1").text == "hashed")
    }

    @Test func anOrdinarySlowHandlerHoldsItsThreadForComparison() throws {
        let server = try Self.startServer()
        defer { server.shutdown() }
        let worker = try RawHTTPClient(port: server.port)
        try worker.send("GET /slow?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try Self.timeHello(server) > 0.4)
        #expect(try worker.readReply().text == "done")
    }

    @Test func shutdownWaitsForBlockingWorkAndAnswersIt() throws {
        let server = try Self.startServer()
        let client = try RawHTTPClient(port: server.port)
        try client.send("POST /hash?ms=500 HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let stopper = Thread { server.shutdown(gracePeriod: .seconds(5)) }
        stopper.start()
        let reply = try client.readReply()
        #expect(reply.status == 200)
        #expect(reply.text == "hashed")
    }
}
