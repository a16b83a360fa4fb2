/// A block of addresses in CIDR notation, such as `10.0.0.0/8` or `2001:db8::/32`.
///
/// A bare address is a block of one (`/32` or `/128`).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block, with the host bits cleared.
    public let address: IPAddress
    /// How many leading bits are fixed.
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`; nil for anything else or a prefix too long.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let parsed = IPAddress(String(parts[0])) else { return nil }
        let bits = parsed.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value), parts[1].allSatisfy(\.isNumber) else {
                return nil
            }
            length = value
        }
        prefixLength = length
        address = IPAddress(bytes: IPNetwork.masked(parsed.bytes, prefixLength: length))!
    }

    /// Whether `candidate` lies in this block; an IPv4 address never lies in an IPv6 block, and
    /// an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is compared as its IPv4 form.
    public func contains(_ candidate: IPAddress) -> Bool {
        let bytes = candidate.unmappedIPv4?.bytes ?? candidate.bytes
        guard bytes.count == address.bytes.count else { return false }
        return IPNetwork.masked(bytes, prefixLength: prefixLength) == address.bytes
    }

    /// `address/prefix`.
    public var description: String { "\(address)/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, prefixLength - index * 8))
            return kept == 8 ? byte : byte & ~(0xFF >> UInt8(kept))
        }
    }
}

extension IPAddress {
    /// The IPv4 address inside an IPv4-mapped IPv6 address, or nil.
    public var unmappedIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return nil
        }
        return IPAddress(bytes: Array(bytes[12...]))
    }
}
