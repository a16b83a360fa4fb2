import Foundation
import TestSupport
import Testing

@testable import HTTP

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
            let reply = try runTool("/usr/bin/curl", ["-sS", "-i", "--cacert", caFile, version] + maximum + [url])
            #expect(reply.status == 0, "curl \(version): \(reply.output)")
            #expect(reply.output.contains(#"{"hello":"world"}"#))
            #expect(reply.output.lowercased().contains("strict-transport-security: max-age=31536000"))
        }

        for flag in ["-tls1", "-tls1_1"] {
            let attempt = try runTool(
                "/usr/bin/openssl",
                [
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
