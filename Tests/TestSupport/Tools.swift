import Foundation

/// A command line tool that failed; its output says why.
public struct ToolError: Error {
    /// The tool's standard output and error, interleaved as written.
    public let output: String

    /// Creates an error carrying `output`.
    public init(output: String) {
        self.output = output
    }
}

/// Runs a command line tool and returns its exit status and combined output.
///
/// `environment`, when given, replaces the inherited environment entirely.
@discardableResult
public func runTool(
    _ executable: String, _ arguments: [String], input: String = "", environment: [String: String]? = nil
) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = stdin
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A self-signed certificate for 127.0.0.1, made with the openssl tool.
public func makeCertificate() throws -> (certificate: String, key: String, directory: URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let certificate = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let result = try runTool(
        "/usr/bin/openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ])
    guard result.status == 0 else { throw ToolError(output: result.output) }
    return (
        try String(contentsOfFile: certificate, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8),
        directory
    )
}
