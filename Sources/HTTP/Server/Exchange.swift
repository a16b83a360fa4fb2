import CMicroHTTPD
import Core
import Foundation

/// The server's state for one request, from its request line to its completion notice.
///
/// libmicrohttpd calls back for a connection on one thread at a time, so an exchange is only
/// touched by the thread serving its connection; it travels as an opaque pointer in `con_cls`.
/// While the connection is suspended for blocking work, libmicrohttpd makes no calls for it, and
/// the worker thread that holds the exchange is then its only user until it resumes the
/// connection (the resume takes the daemon's lock, which orders the worker's writes first).
final class Exchange {
    let target: String
    let startedAt = ContinuousClock.now
    var headersSeen = false
    var request: Request?
    var body: [UInt8] = []
    var bodyLimit = 0
    var bodyOverflowed = false
    var discarded = 0
    /// The answer of a request run on the blocking-work threads, set before the connection is
    /// resumed and queued on the call that follows.
    var deferredResponse: Response?
    /// The file a spooling route's body is written to, opened with the first piece.
    var spool: BodySpool?
    var spoolFailed = false

    init(target: String) {
        self.target = target
    }

    deinit {
        spool?.discard()
    }
}

/// A temporary file that receives a request body piece by piece.
final class BodySpool {
    let path: String
    private var descriptor: Int32
    private(set) var size = 0

    /// Creates an empty file, readable only by this user, in `directory`.
    init?(directory: String) {
        var template = Array((directory + "/syncline-upload-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        path = String(cString: template)
    }

    /// Appends `data`; false when the file could not take it (a full disk).
    func write(_ data: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < data.count {
            let written = Glibc.write(descriptor, data.baseAddress! + offset, data.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        size += data.count
        return true
    }

    /// Closes the file, keeping it for the handler.
    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Closes and removes the file, if the handler has not moved it away.
    func discard() {
        close()
        unlink(path)
    }
}

extension HTTPServer {
    /// First call for a request: headers are in, no body yet.
    ///
    /// Returns a response to send at once (which closes the connection when a body is pending), or
    /// nil to go on reading.
    func begin(_ exchange: Exchange, connection: OpaquePointer, method rawMethod: String) -> Response? {
        exchange.headersSeen = true
        let headers = HeaderCollector.collect(connection)
        let suppliedID = headers["X-Request-Id"]
        let requestID = suppliedID.flatMap { RequestID.isWellFormed($0) ? $0 : nil } ?? RequestID.generate()

        // Split at the first "?" by bytes: a `Character` split would run grapheme breaking.
        let target = exchange.target
        let queryStart = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = target[..<(queryStart ?? target.endIndex)]
        let query = queryStart.map { QueryParameters(parsing: target[target.index(after: $0)...]) } ?? QueryParameters()
        let path = PercentEncoding.decode(rawPath)
        let method = HTTPMethod(rawValue: rawMethod)
        var request = Request(
            method: method ?? .get, path: path ?? String(rawPath),
            query: query ?? QueryParameters(), headers: headers,
            remoteAddress: clientAddress(connection) ?? IPAddress(bytes: [0, 0, 0, 0])!,
            requestID: requestID, isSecure: syncline_mhd_connection_is_tls(connection) != 0, logger: logger)

        var rejection: HTTPError?
        if method == nil {
            rejection = HTTPError(status: 501, code: "not_implemented", message: "Unsupported method.")
        } else if !rawPath.hasPrefix("/") || query == nil || path == nil {
            rejection = .badRequest("The request target is malformed.")
        } else {
            switch router.match(method: request.method, path: rawPath) {
            case .found(let route, let parameters):
                request.route = route
                request.parameters = parameters
            case .methodNotAllowed(let allowed):
                rejection = .methodNotAllowed(allowed: allowed)
            case .notFound:
                rejection = .notFound()
            }
        }

        let declaredLength = headers["Content-Length"].flatMap { Int($0) }
        let chunked = headers["Transfer-Encoding"]?.lowercased().contains("chunked") ?? false
        let hasBody = (declaredLength ?? 0) > 0 || chunked
        exchange.bodyLimit = request.route?.metadata.bodyLimit ?? configuration.defaultBodyLimit
        if rejection == nil, hasBody, let route = request.route {
            let accepts = route.metadata.accepts
            if accepts.isEmpty {
                rejection = HTTPError(
                    status: 415, code: "unsupported_media_type",
                    message: "This endpoint takes no request body.")
            } else if !accepts.contains(request.mediaType ?? "") {
                rejection = .unsupportedMediaType(accepted: accepts)
            } else if let declaredLength, declaredLength > exchange.bodyLimit {
                rejection = .payloadTooLarge(limit: exchange.bodyLimit)
            }
        }
        if let rejection {
            request.attributes[EarlyRejection.self] = rejection
        }
        exchange.request = request
        // Answering now, with a body still unread, makes libmicrohttpd close the connection
        // afterwards; without a body the answer waits for the next call, keeping the connection alive.
        return rejection != nil && hasBody ? respond(to: request) : nil
    }

    /// Accepts a piece of the body.
    ///
    /// Past the limit, the rest is read and dropped so that the client still gets its 413
    /// (libmicrohttpd cannot answer in the middle of an upload); a client that keeps sending far
    /// beyond the limit is cut off instead. Returns false to close the connection.
    func receive(_ exchange: Exchange, _ data: UnsafeRawBufferPointer) -> Bool {
        if let request = exchange.request, request.route?.metadata.spoolsBody == true,
            request.attributes[EarlyRejection.self] == nil, !exchange.bodyOverflowed
        {
            return spool(exchange, data)
        }
        if exchange.bodyOverflowed {
            exchange.discarded += data.count
            return exchange.discarded <= exchange.bodyLimit + 1024 * 1024
        }
        if exchange.body.count + data.count > exchange.bodyLimit {
            exchange.bodyOverflowed = true
            exchange.discarded = exchange.body.count + data.count
            exchange.body = []
            return true
        }
        exchange.body.append(contentsOf: data)
        return true
    }

    /// Writes a piece of a spooling route's body to its file, with the same limit as in memory.
    private func spool(_ exchange: Exchange, _ data: UnsafeRawBufferPointer) -> Bool {
        guard !exchange.spoolFailed else { return true }
        if exchange.spool == nil {
            exchange.spool = BodySpool(directory: configuration.spoolDirectory)
        }
        guard let spool = exchange.spool else {
            exchange.spoolFailed = true
            return true
        }
        if spool.size + data.count > exchange.bodyLimit {
            exchange.bodyOverflowed = true
            exchange.discarded = spool.size + data.count
            spool.discard()
            exchange.spool = nil
            return true
        }
        if !spool.write(data) {
            exchange.spoolFailed = true
            spool.discard()
            exchange.spool = nil
        }
        return true
    }

    /// Whether the request of `exchange` should run on the blocking-work threads.
    func runsBlocking(_ exchange: Exchange) -> Bool {
        guard let request = exchange.request, request.attributes[EarlyRejection.self] == nil else { return false }
        return request.route?.metadata.blocking == true && !exchange.bodyOverflowed
    }

    /// Suspends `connection` and answers `exchange` on the blocking-work threads; the answer is
    /// queued once libmicrohttpd calls again after the resume.
    func finishBlocking(_ exchange: Exchange, connection: OpaquePointer) {
        MHD_suspend_connection(connection)
        let work = SuspendedExchange(exchange: exchange, connection: connection)
        blockingWork.addOperation { [self] in
            work.exchange.deferredResponse = finish(work.exchange)
            MHD_resume_connection(work.connection)
        }
    }

    /// Final call: the whole body is in.
    func finish(_ exchange: Exchange) -> Response {
        guard var request = exchange.request else {
            return ErrorBoundary.response(for: HTTPError.serverFault)
        }
        if exchange.bodyOverflowed {
            request.attributes[EarlyRejection.self] = .payloadTooLarge(limit: exchange.bodyLimit)
        } else if exchange.spoolFailed {
            request.attributes[EarlyRejection.self] = HTTPError(
                status: 507, code: "insufficient_storage", message: "The server could not store the upload.")
        }
        request.body = exchange.body
        exchange.body = []
        if let spool = exchange.spool {
            spool.close()
            request.bodyFile = spool.path
        } else if request.route?.metadata.spoolsBody == true, request.attributes[EarlyRejection.self] == nil {
            // An empty body still arrives as a file, so handlers see one shape.
            exchange.spool = BodySpool(directory: configuration.spoolDirectory)
            exchange.spool?.close()
            request.bodyFile = exchange.spool?.path
        }
        let response = respond(to: request)
        exchange.spool?.discard()
        exchange.spool = nil
        return response
    }

    /// Runs the middleware chain; a throwing chain is answered with a generic 500.
    func respond(to request: Request) -> Response {
        var response: Response
        do {
            response = try responder(request)
        } catch {
            request.logger.error("error escaped the middleware", ["error": String(describing: error)])
            response = ErrorBoundary.response(for: HTTPError.serverFault)
        }
        response.headers.set("X-Request-Id", request.requestID)
        return response
    }

    private func clientAddress(_ connection: OpaquePointer) -> IPAddress? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = Int(syncline_mhd_client_address(connection, &bytes))
        return IPAddress(bytes: Array(bytes.prefix(count)))
    }
}

/// An exchange and its connection on their way to a blocking-work thread.
///
/// `@unchecked Sendable`: the connection is suspended until the worker resumes it, so libmicrohttpd
/// touches neither the exchange nor the connection meanwhile (see ``Exchange``).
private struct SuspendedExchange: @unchecked Sendable {
    let exchange: Exchange
    let connection: OpaquePointer
}

/// Gathers request headers through libmicrohttpd's iterator callback.
private final class HeaderCollector {
    var headers = HTTPHeaders()

    static func collect(_ connection: OpaquePointer) -> HTTPHeaders {
        let collector = HeaderCollector()
        let pointer = Unmanaged.passUnretained(collector).toOpaque()
        _ = MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, pointer)
        return collector.headers
    }
}

private func collectHeader(
    _ context: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?,
    _ value: UnsafePointer<CChar>?
) -> MHD_Result {
    guard let context, let key else { return .YES }
    let collector = Unmanaged<HeaderCollector>.fromOpaque(context).takeUnretainedValue()
    collector.headers.add(String(cString: key), value.map { String(cString: $0) } ?? "")
    return .YES
}
