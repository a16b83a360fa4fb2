import Foundation
import TestSupport
import Testing

/// Runs the built `syncline` binary as a user would.
@Suite("syncline binary") struct BinaryTests {
    /// The binary sits beside the test executable in the build folder.
    static var binary: URL {
        Bundle.main.bundleURL.appendingPathComponent("syncline")
    }

    @Test func servesThenStopsCleanlyOnSIGTERM() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-bin-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve"]
        process.environment = [
            "SYNCLINE_LISTEN": "127.0.0.1:0",
            "SYNCLINE_DATABASE_URL": "sqlite:\(directory.path)/db.sqlite",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // `availableData` returns what the pipe holds now; `read(upToCount:)` would wait for a
        // full count. Lines are split only once complete, so a chunk may end mid-line.
        var pending = ""
        var lines: [String] = []
        var port: UInt16?
        let reader = output.fileHandleForReading
        while port == nil {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending += String(decoding: chunk, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                lines.append(String(pending[..<newline]))
                pending = String(pending[pending.index(after: newline)...])
            }
            port = lines.compactMap(Self.listeningPort).first
        }
        let listening = try #require(port, "no listening line in: \(lines)")

        let reply = try RawHTTPClient(port: listening).request("GET", "/readyz")
        #expect(reply.status == 200)

        process.terminate()
        process.waitUntilExit()
        let rest = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(rest.contains(#""message":"shutting down""#))
        #expect(rest.contains(#""message":"stopped""#))
        #expect(rest.contains(#""message":"closed SQLite database""#))
    }

    @Test func invalidConfigurationExitsWithStatus78() throws {
        let result = try runTool(Self.binary.path, ["serve"], environment: ["SYNCLINE_HTTP_TIMEOUT": "soon"])
        #expect(result.status == 78)
        #expect(result.output.contains("syncline: configuration: SYNCLINE_HTTP_TIMEOUT must be a whole number"))
    }

    private static func listeningPort(_ line: String) -> UInt16? {
        guard line.contains(#""message":"listening""#),
            let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        else { return nil }
        return fields["port"].flatMap { UInt16($0) }
    }
}
