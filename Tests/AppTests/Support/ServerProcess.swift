import Foundation
import TestSupport

/// A `syncline serve` process, as an operator runs it, with its log written to a file.
final class ServerProcess {
    let process = Process()
    let logFile: URL
    private(set) var port: UInt16 = 0

    /// The built binary, beside the test executable.
    static var binary: URL { Bundle.main.bundleURL.appendingPathComponent("syncline") }

    /// Starts the server with `environment` and waits until it listens.
    init(environment: [String: String]) throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-server-\(UUID()).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        process.executableURL = Self.binary
        process.arguments = ["serve"]
        process.environment = environment.merging(["SYNCLINE_LISTEN": "127.0.0.1:0"]) { _, new in new }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let port = log(lines: Self.listeningPort).first {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ToolError(output: "the server did not start: \(logText)")
    }

    /// Everything the server has logged so far.
    var logText: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// The values `pick` finds in the log's lines.
    func log<T>(lines pick: (String) -> T?) -> [T] {
        logText.split(separator: "\n").compactMap { pick(String($0)) }
    }

    /// Ends the process at once, as a crash or `kill -9` would.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks the process to stop as SIGTERM does, and waits for it.
    func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: logFile)
    }

    private static func listeningPort(_ line: String) -> UInt16? {
        guard line.contains(#""message":"listening""#),
            let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        else { return nil }
        return fields["port"].flatMap { UInt16($0) }
    }
}
