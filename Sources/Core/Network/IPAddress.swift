import Foundation

/// An IPv4 or IPv6 address held as bytes: cheap to copy, hash and compare, formatted on demand.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, in network order.
    public let bytes: [UInt8]

    /// Wraps 4 or 16 bytes in network order.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses numeric text such as `192.0.2.7` or `2001:db8::1`.
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// Whether this is a 4-byte IPv4 address rather than IPv6.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The conventional text form.
    ///
    /// IPv4 is written as a dotted quad directly, exactly as `inet_ntop` writes it; at most 15
    /// bytes, it fits a small string without an allocation.
    public var description: String {
        if isIPv4 {
            return String(unsafeUninitializedCapacity: 15) { text in
                var end = 0
                for (index, byte) in bytes.enumerated() {
                    if index > 0 {
                        text[end] = UInt8(ascii: ".")
                        end += 1
                    }
                    if byte >= 100 {
                        text[end] = UInt8(ascii: "0") + byte / 100
                        end += 1
                    }
                    if byte >= 10 {
                        text[end] = UInt8(ascii: "0") + byte / 10 % 10
                        end += 1
                    }
                    text[end] = UInt8(ascii: "0") + byte % 10
                    end += 1
                }
                return end
            }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let formatted = bytes.withUnsafeBytes { raw in
            inet_ntop(AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard formatted else { return "?" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
