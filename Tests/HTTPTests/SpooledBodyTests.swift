import Core
import Foundation
import TestSupport
import Testing

@testable import HTTP

/// Routes that spool their bodies to a file: large uploads never sit in memory whole.
@Suite("Spooled request bodies") struct SpooledBodyTests {
    private static let limit = 8 * 1024 * 1024

    private func start(_ directory: URL) throws -> HTTPServer {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try startTestServer(
            configure: { $0.spoolDirectory = directory.path },
            routes: { router in
                router.add(
                    .put, "/upload",
                    RouteMetadata(
                        access: .anyone, summary: "Hashes an upload.", accepts: ["text/csv"], bodyLimit: Self.limit,
                        spoolsBody: true)
                ) { request in
                    guard let path = request.bodyFile else { throw HTTPError.badRequest("no file") }
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                    let answer = "\(request.body.count) \(bytes.count) \(Crypto.hex(Crypto.sha256(Array(bytes))))"
                    return Response.text(answer)
                }
            })
    }

    private func spooled(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
    }

    @Test func aBodyBeyondTheDefaultLimitArrivesInAFileThatIsRemovedAfterwards() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try start(directory)
        defer { server.shutdown() }
        var body: [UInt8] = []
        for index in 0..<300_000 { body += Array("\(index),row \(index)\n".utf8) }
        #expect(body.count > 1024 * 1024)

        let reply = try RawHTTPClient(port: server.port).request(
            "PUT", "/upload", headers: [("Content-Type", "text/csv")], body: body)
        #expect(reply.status == 200)
        #expect(reply.text == "0 \(body.count) \(Crypto.hex(Crypto.sha256(body)))")
        #expect(try spooled(directory).isEmpty)
    }

    @Test func aBodyOverTheRouteLimitIs413AndLeavesNoFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try start(directory)
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        try client.send(
            "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = String(repeating: "x", count: 65_536)
        for _ in 0..<(Self.limit / 65_536 + 2) { try client.send("10000\r\n\(chunk)\r\n") }
        try client.send("0\r\n\r\n")
        let reply = try client.readReply()
        #expect(reply.status == 413)
        #expect(try spooled(directory).isEmpty)
    }
}
