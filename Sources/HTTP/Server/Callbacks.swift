import CMicroHTTPD
import Core
import Foundation

// libmicrohttpd calls these from its worker threads. They are global functions, not closures,
// so that no actor isolation is inferred for them. `context` is the retained `HTTPServer`.

/// Called once per request with the raw request target, before the headers; the returned
/// pointer becomes the request's `con_cls` (the manual's `MHD_OPTION_URI_LOG_CALLBACK`).
func requestStarted(
    _ context: UnsafeMutableRawPointer?, _ target: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    let server = Unmanaged<HTTPServer>.fromOpaque(context!).takeUnretainedValue()
    server.inFlight.add(1, ordering: .relaxed)
    let exchange = Exchange(target: target.map { String(cString: $0) } ?? "")
    return Unmanaged.passRetained(exchange).toOpaque()
}

/// Called once per request when it ends, whether answered, timed out or cut off.
func requestCompleted(
    _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ state: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ reason: MHD_RequestTerminationCode
) {
    guard let state, let pointer = state.pointee else { return }
    state.pointee = nil
    Unmanaged<Exchange>.fromOpaque(pointer).release()
    let server = Unmanaged<HTTPServer>.fromOpaque(context!).takeUnretainedValue()
    server.inFlight.subtract(1, ordering: .relaxed)
}

/// Leaves percent-escapes in place: the server decodes the path per segment and the query per
/// parameter itself, so an escaped `/` stays inside its segment.
func keepEscapes(
    _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ text: UnsafeMutablePointer<CChar>?
)
    -> Int
{
    text.map { strlen($0) } ?? 0
}

/// libmicrohttpd's access handler, called several times for each request.
///
/// It is called first with headers only, then once per body piece, then a final time with no
/// data. Answers are queued from the second call on, which keeps the connection alive.
func accessHandler(
    _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadSize: UnsafeMutablePointer<Int>?, _ state: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let context, let connection, let method, let uploadSize, let pointer = state?.pointee else {
        return .NO
    }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let exchange = Unmanaged<Exchange>.fromOpaque(pointer).takeUnretainedValue()

    if !exchange.headersSeen {
        if let early = server.begin(exchange, connection: connection, method: String(cString: method)) {
            return queue(early, on: connection, isHead: false)
        }
        return .YES
    }
    if uploadSize.pointee > 0 {
        let accepted = server.receive(exchange, UnsafeRawBufferPointer(start: uploadData, count: uploadSize.pointee))
        uploadSize.pointee = 0
        return accepted ? .YES : .NO
    }
    if let deferred = exchange.deferredResponse {
        exchange.deferredResponse = nil
        return queue(deferred, on: connection, isHead: exchange.request?.method == .head)
    }
    if server.runsBlocking(exchange) {
        server.finishBlocking(exchange, connection: connection)
        return .YES
    }
    let response = server.finish(exchange)
    return queue(response, on: connection, isHead: exchange.request?.method == .head)
}

/// Hands a response to libmicrohttpd, which sends it and frees it once done.
private func queue(_ response: Response, on connection: OpaquePointer, isHead: Bool) -> MHD_Result {
    let native: OpaquePointer?
    switch response.body {
    case .bytes(let bytes):
        native = bytes.withUnsafeBytes { buffer in
            MHD_create_response_from_buffer(
                buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                .RESPMEM_MUST_COPY)
        }
    case .stream where isHead:
        native = MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
    case .stream(let producer):
        let stream = BodyStream(producer: producer)
        native = MHD_create_response_from_callback(
            UInt64.max, 64 * 1024, readStream, Unmanaged.passRetained(stream).toOpaque(), releaseStream)
        stream.start()
    }
    guard let native else { return .NO }
    for (name, value) in response.headers {
        _ = name.withCString { name in value.withCString { MHD_add_response_header(native, name, $0) } }
    }
    let result = MHD_queue_response(connection, UInt32(response.status), native)
    MHD_destroy_response(native)
    return result
}

/// A streamed body: the producer runs on its own thread and the reader callback drains it.
///
/// The reader's fields are touched only by the connection's thread.
private final class BodyStream {
    let writer = ResponseBodyWriter()
    let producer: @Sendable (ResponseBodyWriter) throws -> Void
    var current: [UInt8] = []
    var offset = 0

    init(producer: @escaping @Sendable (ResponseBodyWriter) throws -> Void) {
        self.producer = producer
    }

    func start() {
        let writer = self.writer
        let producer = self.producer
        Thread.detachNewThread {
            do {
                try producer(writer)
                writer.finish(failed: false)
            } catch {
                writer.finish(failed: true)
            }
        }
    }
}

/// The manual's `MHD_ContentReaderCallback`: copies up to `capacity` bytes, or returns
/// `MHD_CONTENT_READER_END_OF_STREAM` (-1) or `MHD_CONTENT_READER_END_WITH_ERROR` (-2).
private func readStream(
    _ context: UnsafeMutableRawPointer?, _ position: UInt64, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int
) -> Int {
    let stream = Unmanaged<BodyStream>.fromOpaque(context!).takeUnretainedValue()
    if stream.offset == stream.current.count {
        switch stream.writer.next() {
        case .chunk(let chunk):
            stream.current = chunk
            stream.offset = 0
        case .end:
            return -1
        case .error:
            return -2
        }
    }
    let count = min(capacity, stream.current.count - stream.offset)
    stream.current.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(buffer!).copyMemory(from: bytes.baseAddress! + stream.offset, byteCount: count)
    }
    stream.offset += count
    return count
}

private func releaseStream(_ context: UnsafeMutableRawPointer?) {
    let stream = Unmanaged<BodyStream>.fromOpaque(context!).takeRetainedValue()
    stream.writer.cancel()
}
