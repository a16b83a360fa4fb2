import Core
import HTTP
import Testing

@testable import Identity

@Suite("Client address") struct ClientAddressTests {
    private static let resolver = ClientAddressResolver(trustedProxies: [IPNetwork("10.0.0.0/8")!, IPNetwork("::1")!])

    private static func request(from peer: String, forwardedFor: [String]) -> Request {
        Request(
            method: .get, path: "/", headers: HTTPHeaders(forwardedFor.map { ("X-Forwarded-For", $0) }),
            remoteAddress: IPAddress(peer)!)
    }

    @Test func anUntrustedPeerIsTheClientWhateverItClaims() {
        let request = Self.request(from: "203.0.113.5", forwardedFor: ["198.51.100.1"])
        #expect(Self.resolver.clientAddress(of: request) == IPAddress("203.0.113.5"))
    }

    @Test func aTrustedProxyNamesTheClient() {
        let request = Self.request(from: "10.1.2.3", forwardedFor: ["198.51.100.1"])
        #expect(Self.resolver.clientAddress(of: request) == IPAddress("198.51.100.1"))
    }

    @Test func aForgedLeftmostEntryIsIgnored() {
        // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
        let request = Self.request(from: "10.1.2.3", forwardedFor: ["1.2.3.4, 198.51.100.7"])
        #expect(Self.resolver.clientAddress(of: request) == IPAddress("198.51.100.7"))
    }

    @Test func chainsOfTrustedProxiesAreWalkedFromTheRight() {
        let request = Self.request(from: "::1", forwardedFor: ["198.51.100.7", "10.9.9.9"])
        #expect(Self.resolver.clientAddress(of: request) == IPAddress("198.51.100.7"))
    }

    @Test func garbageStopsTheWalkAtTheLastGoodHop() {
        let request = Self.request(from: "10.1.2.3", forwardedFor: ["198.51.100.7, <script>"])
        #expect(Self.resolver.clientAddress(of: request) == IPAddress("10.1.2.3"))
    }

    @Test func withoutTrustedProxiesTheHeaderIsIgnored() {
        let request = Self.request(from: "10.1.2.3", forwardedFor: ["198.51.100.7"])
        let resolver = ClientAddressResolver(trustedProxies: [])
        #expect(resolver.clientAddress(of: request) == IPAddress("10.1.2.3"))
    }
}
