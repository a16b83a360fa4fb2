import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which hosts REST sources may reach (`SYNCLINE_EGRESS_ALLOW`).
///
/// Link-local addresses, where clouds serve instance metadata and credentials, are refused
/// always. When an allowlist is set, a host must match one of its names (`api.example.com`,
/// or `*.example.com` for any subdomain) or every address it resolves to must lie in one of its
/// blocks (`10.0.0.0/8`). Without an allowlist any other host may be reached.
///
/// Limitation: the check resolves the host itself and the HTTP client resolves it again, so a
/// name server that answers differently the second time (DNS rebinding) is not caught; an
/// allowlist of names or blocks the operator controls closes that gap.
public struct EgressPolicy: Sendable, Hashable {
    /// Blocks refused whatever the allowlist says: IPv4 and IPv6 link-local, and the IPv6
    /// address of AWS's metadata service.
    public static let alwaysRefused = ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128"].compactMap(IPNetwork.init)

    private let hostNames: [String]
    private let networks: [IPNetwork]

    /// No allowlist: every host but the refused blocks.
    public static let unrestricted = EgressPolicy(hostNames: [], networks: [])

    private init(hostNames: [String], networks: [IPNetwork]) {
        self.hostNames = hostNames
        self.networks = networks
    }

    /// Parses a comma-separated allowlist of host names, `*.` wildcards, addresses and CIDR
    /// blocks; nil when an entry is none of those.
    public init?(allowlist: String) {
        var hostNames: [String] = []
        var networks: [IPNetwork] = []
        for entry in allowlist.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() })
        where !entry.isEmpty {
            if let network = IPNetwork(entry) {
                networks.append(network)
            } else if Self.isHostPattern(entry) {
                hostNames.append(entry)
            } else {
                return nil
            }
        }
        self.init(hostNames: hostNames, networks: networks)
    }

    /// Whether an allowlist is set.
    public var isRestricted: Bool { !hostNames.isEmpty || !networks.isEmpty }

    /// Resolves `url`'s host and throws unless the policy lets sources reach it.
    public func check(_ url: URL) throws(SyncError) {
        guard let host = url.host?.lowercased(), !host.isEmpty else {
            throw SyncError(.configuration, "The URL has no host.")
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try Self.resolve(bareHost)
        for address in addresses where Self.alwaysRefused.contains(where: { $0.contains(address) }) {
            throw SyncError(.configuration, "The host \(bareHost) resolves to a link-local address, which is refused.")
        }
        guard isRestricted else { return }
        if hostNames.contains(where: { Self.matches(bareHost, pattern: $0) }) { return }
        if !addresses.isEmpty, addresses.allSatisfy({ address in networks.contains { $0.contains(address) } }) {
            return
        }
        throw SyncError(.configuration, "The host \(bareHost) is not in SYNCLINE_EGRESS_ALLOW.")
    }

    private static func matches(_ host: String, pattern: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) }
        return host == pattern
    }

    private static func isHostPattern(_ entry: String) -> Bool {
        let name = entry.hasPrefix("*.") ? String(entry.dropFirst(2)) : entry
        return !name.isEmpty
            && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.count <= 63
                    && label.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
            }
    }

    /// Every address `host` resolves to.
    private static func resolve(_ host: String) throws(SyncError) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw SyncError(.connection, "The host \(host) could not be resolved.")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin_addr
                        let bytes = withUnsafeBytes(of: &raw) { Array($0) }
                        if let address = IPAddress(bytes: bytes) { addresses.append(address) }
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin6_addr
                        let bytes = withUnsafeBytes(of: &raw) { Array($0) }
                        if let address = IPAddress(bytes: bytes) { addresses.append(address) }
                    }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
