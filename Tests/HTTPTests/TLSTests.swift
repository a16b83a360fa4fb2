import Foundation
import Testing
@testable import HTTP

/// Runs a command line tool and returns its exit status and combined output.
@discardableResult
func run(_ executable: String, _ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
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
func makeCertificate() throws -> (certificate: String, key: String, directory: URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let certificate = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let result = try run("/usr/bin/openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
    ])
    #expect(result.status == 0, "openssl req failed: \(result.output)")
    return (try String(contentsOfFile: certificate, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8),
            directory)
}

@Suite("TLS") struct TLSTests {
    @Test func servesHTTPSWithHSTSAndRefusesOldProtocols() throws {
        let material = try makeCertificate()
        defer { try? FileManager.default.removeItem(at: material.directory) }
        let server = try startTestServer {
            $0.tls = TLSConfiguration(certificatePEM: material.certificate, privateKeyPEM: material.key)
        }
        defer { server.shutdown() }
        let url = "https://127.0.0.1:\(server.port)/hello"
        let caFile = material.directory.appendingPathComponent("cert.pem").path

        for version in ["--tlsv1.2", "--tlsv1.3"] {
            let maximum = version == "--tlsv1.2" ? ["--tls-max", "1.2"] : []
            let reply = try run("/usr/bin/curl", ["-sS", "-i", "--cacert", caFile, version] + maximum + [url])
            #expect(reply.status == 0, "curl \(version): \(reply.output)")
            #expect(reply.output.contains(#"{"hello":"world"}"#))
            #expect(reply.output.lowercased().contains("strict-transport-security: max-age=31536000"))
        }

        for flag in ["-tls1", "-tls1_1"] {
            let attempt = try run("/usr/bin/openssl", [
                "s_client", "-connect", "127.0.0.1:\(server.port)", flag, "-cipher", "DEFAULT:@SECLEVEL=0",
            ])
            #expect(attempt.status != 0, "\(flag) handshake should fail")
            #expect(attempt.output.contains("no peer certificate available"), "\(flag) must not complete a handshake")
        }
    }

    @Test func plainHTTPToTLSPortGetsNoAnswer() throws {
        let material = try makeCertificate()
        defer { try? FileManager.default.removeItem(at: material.directory) }
        let server = try startTestServer {
            $0.tls = TLSConfiguration(certificatePEM: material.certificate, privateKeyPEM: material.key)
        }
        defer { server.shutdown() }
        let client = try RawHTTPClient(port: server.port)
        #expect(throws: (any Error).self) { _ = try client.request("GET", "/hello") }
    }
}
