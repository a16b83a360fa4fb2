import Core
import Foundation

/// An HTTP response: status, headers and a body held in memory or produced while it is sent.
public struct Response: Sendable {
    /// A body either held whole, or written in chunks by a producer while the client reads.
    public enum Body: Sendable {
        /// A body held whole in memory.
        case bytes([UInt8])
        /// The producer runs on its own thread and writes chunks; a slow client slows it down
        /// (the buffer between them is bounded), and a client that goes away makes `write` throw.
        case stream(@Sendable (ResponseBodyWriter) throws -> Void)
    }

    /// The HTTP status code sent to the client.
    public var status: Int
    /// The header fields sent with the response.
    public var headers: HTTPHeaders
    /// What follows the headers: bytes in memory or a stream.
    public var body: Body

    /// Creates a response; the defaults give an empty 200.
    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from bytes already encoded.
    public static func json(_ bytes: [UInt8], status: Int = 200) -> Response {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        return Response(status: status, headers: headers, body: .bytes(bytes))
    }

    /// A JSON response encoded from a value with Syncline's encoder settings.
    public static func json<Value: Encodable>(_ value: Value, status: Int = 200) throws -> Response {
        let bytes: [UInt8] = Array(try JSONCoding.encoder.encode(value))
        return json(bytes, status: status)
    }

    /// A text response, plain UTF-8 unless `contentType` says otherwise.
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        var headers = HTTPHeaders()
        headers.set("Content-Type", contentType)
        return Response(status: status, headers: headers, body: .bytes(Array(text.utf8)))
    }

    /// A streamed response with the given content type; the body is sent with chunked encoding.
    public static func stream(
        contentType: String, status: Int = 200, _ producer: @escaping @Sendable (ResponseBodyWriter) throws -> Void
    ) -> Response {
        var headers = HTTPHeaders()
        headers.set("Content-Type", contentType)
        return Response(status: status, headers: headers, body: .stream(producer))
    }

    /// The body bytes when held in memory; nil for a stream.
    public var bodyBytes: [UInt8]? {
        if case .bytes(let bytes) = body { return bytes }
        return nil
    }
}

/// Encoder and decoder settings shared by every JSON body: camelCase keys, RFC 3339 dates.
public enum JSONCoding {
    /// The encoder for JSON bodies; keys are sorted so equal values encode to equal bytes.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.rfc3339(date))
        }
        return encoder
    }()
}
