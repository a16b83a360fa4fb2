import Core
import Foundation
import Synchronization

/// One HTTP request, with its body read in full (bounded by the route's body limit).
public struct Request: Sendable {
    /// The method from the request line.
    public let method: HTTPMethod
    /// The decoded path, without the query string.
    public let path: String
    /// The decoded query-string parameters.
    public let query: QueryParameters
    /// The request's header fields, in arrival order.
    public let headers: HTTPHeaders
    /// The whole request body; empty when none was sent, or when the route spools it to a file.
    public var body: [UInt8]
    /// The file holding the body of a route that spools it; the server removes the file after
    /// the response unless the handler has moved it away.
    public internal(set) var bodyFile: String?
    /// The peer's address; a proxy-aware client address is derived from it by higher layers.
    public let remoteAddress: IPAddress
    /// From a well-formed `X-Request-Id` header, else generated; echoed in the response.
    public let requestID: String
    /// Whether the connection uses TLS.
    public let isSecure: Bool
    /// The route that matched, when one did.
    public internal(set) var route: Route?
    /// Values of the route template's `{name}` segments.
    public internal(set) var parameters: [String: String] = [:]
    private let baseLogger: Logger
    /// Typed values attached by middleware, such as the signed-in user.
    public var attributes = RequestAttributes()

    /// Creates a request; the defaults let tests give only a method and path.
    public init(
        method: HTTPMethod, path: String, query: QueryParameters = QueryParameters(),
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], remoteAddress: IPAddress = IPAddress("127.0.0.1")!,
        requestID: String = RequestID.generate(),
        isSecure: Bool = false, logger: Logger = Logger(label: "http")
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.isSecure = isSecure
        self.baseLogger = logger
    }

    /// A logger whose lines carry this request's id; built on use, since most requests log nothing.
    public var logger: Logger { baseLogger.with(["requestId": requestID]) }

    /// The media type of the body without parameters, lowercased (`application/json`).
    public var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A path parameter by name; throws 404 when the route has no such segment value.
    public func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw HTTPError.notFound() }
        return value
    }
}

/// A key for a typed value stored on a request.
public protocol RequestAttributeKey {
    /// The type of value stored under this key.
    associatedtype Value: Sendable
}

/// Typed storage that lets middleware hand values (the signed-in user, a CSRF token) to handlers.
public struct RequestAttributes: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// Creates storage holding no values.
    public init() {}

    /// The value stored under `key`, or nil; assigning nil removes it.
    public subscript<Key: RequestAttributeKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// Request ids: taken from the client when well-formed, else generated.
public enum RequestID {
    /// Random per process, so ids from several instances do not collide.
    private static let prefix = Crypto.hex(Crypto.randomBytes(8))
    private static let counter = Atomic<UInt64>(0)

    /// A fresh id: the process prefix and a sequence number, 32 hex digits in all.
    public static func generate() -> String {
        let sequence = counter.add(1, ordering: .relaxed).newValue
        let hexDigits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { id in
            let start = id.initialize(fromContentsOf: prefix.utf8)
            for index in 0..<16 {
                let digit = Int(truncatingIfNeeded: sequence >> (60 - 4 * index)) & 0xF
                id[start + index] = hexDigits.utf8Start[digit]
            }
            return start + 16
        }
    }

    /// Accepts 1–64 characters from `[A-Za-z0-9._-]`, so an id is safe in logs and headers.
    public static func isWellFormed(_ candidate: String) -> Bool {
        let utf8 = candidate.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}
