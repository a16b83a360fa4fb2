import Core
import Foundation
import Testing

@Suite("IP networks") struct IPNetworkTests {
    @Test func containsAddressesInsideItsPrefix() throws {
        let network = try #require(IPNetwork("192.168.10.77/24"))
        #expect(network.description == "192.168.10.0/24")
        #expect(network.contains(IPAddress("192.168.10.1")!))
        #expect(network.contains(IPAddress("192.168.10.255")!))
        #expect(!network.contains(IPAddress("192.168.11.1")!))
        #expect(!network.contains(IPAddress("::1")!))
        #expect(network.contains(IPAddress("::ffff:192.168.10.9")!))
    }

    @Test func oddPrefixesMaskPartialBytes() throws {
        let network = try #require(IPNetwork("169.254.0.0/17"))
        #expect(network.contains(IPAddress("169.254.127.255")!))
        #expect(!network.contains(IPAddress("169.254.128.0")!))
        let v6 = try #require(IPNetwork("fd00::/7"))
        #expect(v6.contains(IPAddress("fc12::1")!))
        #expect(!v6.contains(IPAddress("fe80::1")!))
    }

    @Test func aBareAddressIsABlockOfOne() throws {
        let network = try #require(IPNetwork("2001:db8::5"))
        #expect(network.prefixLength == 128)
        #expect(network.contains(IPAddress("2001:db8::5")!))
        #expect(!network.contains(IPAddress("2001:db8::6")!))
    }

    @Test(arguments: [
        "", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0/8", "host.example", "::/129", "1.2.3.4/",
    ])
    func malformedBlocksAreRefused(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test func addressesFormatAsInetNtopDoes() throws {
        for value in 0...255 {
            let byte = UInt8(value)
            for bytes in [[byte, 0, 0, 0], [0, byte, 10, 1], [9, 99, byte, 100], [255, 200, 1, byte]] {
                var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                _ = bytes.withUnsafeBytes { inet_ntop(AF_INET, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
                let address = try #require(IPAddress(bytes: bytes))
                #expect(address.description == buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            }
        }
        #expect(IPAddress("2001:db8::5")?.description == "2001:db8::5")
        #expect(IPAddress("::ffff:192.0.2.1")?.description == "::ffff:192.0.2.1")
    }
}
