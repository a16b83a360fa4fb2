import Core
import Foundation
import HTTP

/// Works out the client's address, believing `X-Forwarded-For` only from trusted proxies.
///
/// The header is read from the right: each hop appends the address it saw, so the rightmost
/// entry not itself a trusted proxy is the client. A client that sends its own header cannot
/// push a forged address past the proxy's appended one.
public struct ClientAddressResolver: Sendable {
    /// The proxies whose `X-Forwarded-For` is believed.
    public let trustedProxies: [IPNetwork]

    /// Creates a resolver; with no trusted proxies the peer address is always the client.
    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    /// The client address of `request`.
    public func clientAddress(of request: Request) -> IPAddress {
        var address = request.remoteAddress
        guard isTrusted(address) else { return address }
        let hops = request.headers.values(for: "X-Forwarded-For")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard let hopAddress = IPAddress(hop) else { break }
            address = hopAddress
            if !isTrusted(hopAddress) { break }
        }
        return address
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
