import Foundation
import TestSupport
import Testing

@testable import HTTP

@Suite("Live server") struct ServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        for _ in 0..<3 {
            let reply = try client.request("GET", "/hello")
            #expect(reply.status == 200)
            #expect(reply.text == #"{"hello":"world"}"#)
            #expect(reply.header("Connection")?.lowercased() != "close")
        }
    }

    @Test func bodyOverLimitDeclaredUpFrontIsRefusedWith413() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        try client.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
        let reply = try client.readReply()
        #expect(reply.status == 413)
        #expect(reply.text.contains("payload_too_large"))
    }

    @Test func chunkedBodyOverLimitIsRefusedWith413() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        try client.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = String(repeating: "a", count: 600)
        for _ in 0..<4 { try client.send("258\r\n\(chunk)\r\n") }
        try client.send("0\r\n\r\n")
        let reply = try client.readReply()
        #expect(reply.status == 413)
    }

    @Test func echoWithinLimit() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        let reply = try client.request(
            "POST", "/echo", headers: [("Content-Type", "application/json")],
            body: Array(#"{"a":1}"#.utf8))
        #expect(reply.status == 200)
        #expect(reply.text == #"{"a":1}"#)
    }
}

@Suite("Live server limits and errors") struct ServerLimitTests {
    @Test func unknownRouteIs404WithJSONErrorAndKeepsConnection() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        let reply = try client.request("GET", "/nowhere")
        #expect(reply.status == 404)
        #expect(reply.header("Content-Type") == "application/json")
        #expect(reply.text == #"{"error":{"code":"not_found","message":"No such resource."}}"#)
        #expect(try client.request("GET", "/hello").status == 200)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let reply = try RawHTTPClient(port: server.port).request("DELETE", "/hello")
        #expect(reply.status == 405)
        #expect(reply.header("Allow") == "GET, HEAD")
    }

    @Test func unknownMethodIs501() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        #expect(try RawHTTPClient(port: server.port).request("BREW", "/hello").status == 501)
    }

    @Test func wrongContentTypeIs415() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let reply = try RawHTTPClient(port: server.port).request(
            "POST", "/echo", headers: [("Content-Type", "text/plain")], body: Array("hi".utf8))
        #expect(reply.status == 415)
        #expect(reply.text.contains("application/json"))
    }

    @Test func bodyOnRouteWithoutBodyIs415() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let reply = try RawHTTPClient(port: server.port).request(
            "GET", "/hello", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        #expect(reply.status == 415)
    }

    @Test func overlongURLIs414() throws {
        let server = try startTestServer { $0.headerMemoryLimit = 8 * 1024 }
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        let reply = try client.request("GET", "/hello?q=" + String(repeating: "a", count: 16 * 1024))
        #expect(reply.status == 414)
    }

    @Test func oversizedHeadersAre431() throws {
        let server = try startTestServer { $0.headerMemoryLimit = 8 * 1024 }
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        let reply = try client.request(
            "GET", "/hello", headers: [("X-Padding", String(repeating: "b", count: 16 * 1024))])
        #expect(reply.status == 431)
    }

    @Test func headReturnsHeadersWithoutBody() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        let head = try client.request("HEAD", "/hello")
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "17")
        #expect(head.body.isEmpty)
        // The connection is still in step: the next reply is read cleanly.
        #expect(try client.request("GET", "/hello").text == #"{"hello":"world"}"#)
    }

    @Test func pathParametersArePercentDecodedPerSegment() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("GET", "/items/a%2Fb%20c").text == "a/b c")
        #expect(try client.request("GET", "/items/bad%zz").status == 400)
    }

    @Test func unknownErrorsBecomeGeneric500WithoutDetail() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let reply = try RawHTTPClient(port: server.port).request("GET", "/fail")
        #expect(reply.status == 500)
        #expect(reply.text.contains("internal_error"))
        #expect(!reply.text.contains("internal detail"))
    }

    @Test func securityHeadersAndRequestID() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        let reply = try client.request("GET", "/hello", headers: [("X-Request-Id", "abc-123")])
        #expect(reply.header("X-Request-Id") == "abc-123")
        #expect(reply.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        #expect(reply.header("Strict-Transport-Security") == nil)
        let forged = try client.request("GET", "/hello", headers: [("X-Request-Id", "evil\u{7f}id with spaces")])
        let generated = try #require(forged.header("X-Request-Id"))
        #expect(generated.count == 32 && generated != "evil")
    }

    @Test func streamedBodyArrivesChunked() throws {
        let server = try startTestServer()
        defer { server.shutdown() }
        let reply = try RawHTTPClient(port: server.port).request("GET", "/stream?lines=20000")
        #expect(reply.status == 200)
        #expect(reply.header("Transfer-Encoding")?.lowercased() == "chunked")
        let lines = reply.text.split(separator: "\n")
        #expect(lines.count == 20000)
        #expect(lines.last == "line 19999")
    }

    @Test func slowClientIsCutOffByTimeout() throws {
        let server = try startTestServer { $0.connectionTimeoutSeconds = 1 }
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        let started = Date()
        #expect(client.isClosedByPeer(waiting: 5))
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test func perAddressConnectionLimit() throws {
        let server = try startTestServer { $0.perAddressConnectionLimit = 2 }
        defer { server.shutdown() }
        let first = try RawHTTPClient(port: server.port)
        let second = try RawHTTPClient(port: server.port)
        #expect(try first.request("GET", "/hello").status == 200)
        #expect(try second.request("GET", "/hello").status == 200)
        let third = try RawHTTPClient(port: server.port)
        #expect(third.isClosedByPeer(waiting: 2))
    }

    @Test func gracefulShutdownFinishesInFlightRequest() throws {
        let server = try startTestServer()
        let client = try RawHTTPClient(port: server.port)
        try client.send("GET /slow?ms=700 HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        let stopper = Thread { server.shutdown(gracePeriod: .seconds(5)) }
        stopper.start()
        let reply = try client.readReply()
        #expect(reply.status == 200)
        #expect(reply.text == "done")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(throws: (any Error).self) { _ = try RawHTTPClient(port: server.port) }
    }
}
