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
            "SYNCLINE_IMPORT_DIR": directory.path + "/import", "SYNCLINE_DEMO": "false",
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

    /// An environment for commands on a scratch SQLite database.
    private static func commandEnvironment(_ database: ScratchDatabase) -> [String: String] {
        [
            "SYNCLINE_DATABASE_URL": database.url, "SYNCLINE_AUDIT_KEY": String(repeating: "a", count: 40),
            "SYNCLINE_SESSION_SECRET": String(repeating: "s", count: 40),
        ]
    }

    @Test func userCommandsReadPasswordsFromStandardInput() throws {
        let database = try ScratchDatabase(.sqlite)
        let environment = Self.commandEnvironment(database)
        let add = try runTool(
            Self.binary.path, ["user", "add", "Olga", "--role", "admin"], input: "a long enough secret\n",
            environment: environment)
        #expect(add.status == 0, "\(add.output)")
        #expect(add.output.contains("created admin olga"))
        #expect(!add.output.contains("a long enough secret"))

        let weak = try runTool(
            Self.binary.path, ["user", "add", "pete", "--role", "viewer"], input: "short\n", environment: environment)
        #expect(weak.status == 1)
        #expect(weak.output.contains("password"))

        #expect(try runTool(Self.binary.path, ["user", "disable", "olga"], environment: environment).status == 1)
        let viewer = try runTool(
            Self.binary.path, ["user", "add", "pete", "--role", "viewer"], input: "another long secret\n",
            environment: environment)
        #expect(viewer.status == 0)
        #expect(
            try runTool(Self.binary.path, ["user", "set-role", "pete", "admin"], environment: environment).status == 0)
        #expect(try runTool(Self.binary.path, ["user", "disable", "pete"], environment: environment).status == 0)
        let reset = try runTool(
            Self.binary.path, ["user", "reset-password", "olga"], input: "a fresh long secret\n",
            environment: environment)
        #expect(reset.status == 0)

        let list = try runTool(Self.binary.path, ["user", "list"], environment: environment)
        #expect(list.status == 0)
        #expect(list.output.contains("olga") && list.output.contains("active"))
        #expect(list.output.contains("pete") && list.output.contains("disabled"))
        #expect(try runTool(Self.binary.path, ["user", "list", "extra"], environment: environment).status == 64)
    }

    @Test func auditVerifyNamesATamperedEntry() throws {
        let database = try ScratchDatabase(.sqlite)
        let environment = Self.commandEnvironment(database)
        for name in ["ann", "ben", "cat"] {
            let added = try runTool(
                Self.binary.path, ["user", "add", name, "--role", "viewer"], input: "a long enough secret\n",
                environment: environment)
            #expect(added.status == 0, "\(added.output)")
        }
        let intact = try runTool(Self.binary.path, ["audit", "verify"], environment: environment)
        #expect(intact.status == 0)
        #expect(intact.output.contains("audit log intact: 3 entries"))

        let export = try runTool(Self.binary.path, ["audit", "export", "--format", "jsonl"], environment: environment)
        #expect(export.status == 0)
        #expect(export.output.split(separator: "\n").count == 3)
        #expect(export.output.contains(#""action":"user.create""#))

        let path = String(database.url.dropFirst("sqlite:".count))
        let edit = try runTool("/usr/bin/sqlite3", [path, "UPDATE audit_events SET target = 'bob' WHERE id = 2"])
        #expect(edit.status == 0, "\(edit.output)")
        let broken = try runTool(Self.binary.path, ["audit", "verify"], environment: environment)
        #expect(broken.status == 1)
        #expect(broken.output.contains("entry 2"))

        var otherKey = environment
        otherKey["SYNCLINE_AUDIT_KEY"] = String(repeating: "b", count: 40)
        #expect(try runTool(Self.binary.path, ["audit", "verify"], environment: otherKey).status == 1)
    }

    @Test func developmentServerCreatesAnAdminAndPrintsItsPasswordOnce() throws {
        let database = try ScratchDatabase(.sqlite)
        var environment = Self.commandEnvironment(database)
        environment["SYNCLINE_LISTEN"] = "127.0.0.1:0"
        for expectPassword in [true, false] {
            let process = Process()
            process.executableURL = Self.binary
            process.arguments = ["serve"]
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 1.5)
            process.terminate()
            process.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.contains("password  ") == expectPassword, "\(text)")
        }
        let list = try runTool(Self.binary.path, ["user", "list"], environment: Self.commandEnvironment(database))
        #expect(list.output.contains("admin"))
    }

    private static func listeningPort(_ line: String) -> UInt16? {
        guard line.contains(#""message":"listening""#),
            let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        else { return nil }
        return fields["port"].flatMap { UInt16($0) }
    }
}
