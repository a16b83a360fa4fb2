import Foundation

/// A minimal HTTP/1.1 client over a plain socket, so tests control every byte and can see
/// whether a connection stays open.
public final class RawHTTPClient {
    /// One response as read off the wire.
    public struct Reply {
        /// The status code from the status line.
        public var status: Int
        /// Header fields in the order received, names spelled as the server sent them.
        public var headers: [(String, String)]
        /// The body with any chunked framing removed; empty when none was expected.
        public var body: [UInt8]

        /// The first value of the header `name`, ignoring case.
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// The body decoded as UTF-8.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Thrown when the server has closed the connection while sending or reading.
    public struct ClosedError: Error {}

    private let socket: Int32
    private var buffer: [UInt8] = []

    /// Connects over IPv4 to `host` and `port`; reads give up after 10 seconds.
    public init(port: UInt16, host: String = "127.0.0.1") throws {
        socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(socket)
    }

    /// Sends `text` as UTF-8, exactly as given.
    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Sends `bytes` as they are, with no framing added.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.send(socket, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw ClosedError() }
            offset += written
        }
    }

    /// Sends a request with `Host` and, when there is a body, `Content-Length` filled in.
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> Reply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
        return try readReply(bodyExpected: method != "HEAD")
    }

    /// Reads one response; the body by `Content-Length` or chunked encoding.
    public func readReply(bodyExpected: Bool = true) throws -> Reply {
        let headerEnd = try readUntil(Array("\r\n\r\n".utf8))
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = Int(statusLine[1]) ?? 0
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var reply = Reply(status: status, headers: headers, body: [])
        guard bodyExpected else { return reply }
        if let length = reply.header("Content-Length").flatMap(Int.init) {
            reply.body = try readExactly(length)
        } else if reply.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                let lineEnd = try readUntil(Array("\r\n".utf8))
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self)
                buffer.removeFirst(lineEnd + 2)
                let size = Int(sizeText.split(separator: ";")[0], radix: 16) ?? 0
                if size == 0 {
                    _ = try readUntil(Array("\r\n".utf8))
                    buffer.removeFirst(2)
                    break
                }
                reply.body += try readExactly(size)
                _ = try readExactly(2)
            }
        }
        return reply
    }

    /// Whether the server has closed the connection (a read returns end of file).
    public func isClosedByPeer(waiting seconds: Int = 5) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let count = recv(socket, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw ClosedError() }
        buffer += chunk[..<count]
    }

    private func readUntil(_ delimiter: [UInt8]) throws -> Int {
        while true {
            if buffer.count >= delimiter.count {
                for start in 0...(buffer.count - delimiter.count)
                where buffer[start..<start + delimiter.count].elementsEqual(delimiter) {
                    return start
                }
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }
}
