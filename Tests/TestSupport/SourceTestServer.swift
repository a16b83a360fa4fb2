import Core
import Foundation
import Sync
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A REST source for tests: an HTTP/1.1 server on an ephemeral loopback port, one thread per
/// connection, serving a dataset the test sets (and may change while a sync runs).
///
/// Every pagination style has its own path, each taking `updated_since` to serve only records
/// whose `updated_at` is at or after it:
///
/// - `/records` — `{"data": [...]}`: everything, or `?page=N&per_page=M` (pages from 1), or
///   `?offset=N&limit=M`.
/// - `/cursor?after=TOKEN&limit=M` — `{"data": [...], "meta": {"next": TOKEN or null}}`.
/// - `/link?page=N&per_page=M` — a bare array, with two `Link` header fields naming the next page,
///   and the first and previous pages, as relative URLs.
/// - `/next?page=N&per_page=M` — `{"items": [...], "paging": {"next": URL or null}}`, the URL
///   relative, or absolute with `&absolute=1`.
///
/// Records are ordered by `updated_at`, then `id`, unless ``ordering`` says to serve them as
/// given, duplicates and all. ``fail(request:with:)`` scripts a misbehaviour for the Nth request,
/// and ``requests`` lists every request received.
public final class SourceTestServer: Sendable {
    /// A request as the server received it.
    public struct Request: Sendable {
        /// The path, without the query.
        public var path: String
        /// The query parameters, decoded.
        public var query: [String: String]
        /// The header fields, by lower-cased name.
        public var headers: [String: String]
        /// When the request's head was read.
        public var receivedAt: ContinuousClock.Instant
    }

    /// A way to answer one request other than serving it.
    public enum Failure: Sendable {
        /// A response with this status, a small JSON error body, and this `Retry-After` value when
        /// given (as with `429 Too Many Requests`).
        case status(Int, retryAfter: String? = nil)
        /// `200 OK` with a body that is not JSON.
        case malformedJSON
        /// The real page announced whole in `Content-Length`, half of it sent, then the connection
        /// closed in order.
        case cutShort
        /// The real page announced whole, half of it sent, then the connection reset (`SO_LINGER`
        /// zero before closing sends a TCP reset).
        case reset
        /// The real page, sent only after this many seconds.
        case slow(seconds: Double)
        /// `302 Found` with this `Location`.
        case redirect(to: String)
    }

    /// The order records are served in.
    public enum Ordering: Sendable {
        /// By `updated_at`, then `id`, as an incremental source serves them.
        case byUpdate
        /// Exactly as the dataset lists them.
        case asGiven
    }

    private struct State {
        var records: [[String: RecordValue]]
        var ordering = Ordering.byUpdate
        var failures: [Int: Failure] = [:]
        var requests: [Request] = []
        var threads: [pthread_t] = []
    }

    /// The port the server listens on, on 127.0.0.1.
    public let port: UInt16
    private let listener: Int32
    private let state: Mutex<State>
    private let stopping = Atomic<Bool>(false)
    private let acceptThread = Mutex<pthread_t?>(nil)

    /// Starts serving `records` on an ephemeral port.
    public init(records: [[String: RecordValue]] = []) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            close(listener)
            throw error
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        state = Mutex(State(records: records))
        let thread = Self.spawn { [self] in acceptConnections() }
        acceptThread.withLock { $0 = thread }
    }

    /// `http://127.0.0.1:PORT` followed by `pathAndQuery`.
    public func url(_ pathAndQuery: String) -> String {
        "http://127.0.0.1:\(port)\(pathAndQuery)"
    }

    /// The dataset; setting it affects every later request.
    public var records: [[String: RecordValue]] {
        get { state.withLock { $0.records } }
        set { state.withLock { $0.records = newValue } }
    }

    /// The order records are served in; ``Ordering/byUpdate`` unless set.
    public var ordering: Ordering {
        get { state.withLock { $0.ordering } }
        set { state.withLock { $0.ordering = newValue } }
    }

    /// Answers the `number`th request the server receives (counting from 1) with `failure`.
    public func fail(request number: Int, with failure: Failure) {
        state.withLock { $0.failures[number] = failure }
    }

    /// Every request received so far, in order of arrival.
    public var requests: [Request] {
        state.withLock { $0.requests }
    }

    /// Stops listening, ends every connection and waits for every thread to finish.
    ///
    /// The server's threads hold it until then, so every test that starts one must stop it.
    public func stop() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        if let thread = acceptThread.withLock({ $0 }) { pthread_join(thread, nil) }
        close(listener)
        for thread in state.withLock({ $0.threads }) { pthread_join(thread, nil) }
    }

    // MARK: - Connections

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    private func acceptConnections() {
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !isStopping {
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var sendTimeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Self.spawn { [self] in serve(connection) }
            state.withLock { $0.threads.append(thread) }
        }
    }

    /// Answers requests on `connection` until the client closes it, a failure ends it or the
    /// server stops.
    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        var keepsOpen = true
        while keepsOpen, let head = readHead(connection, &buffer) {
            let request = Self.parse(head)
            let failure = state.withLock { state in
                state.requests.append(request)
                return state.failures[state.requests.count]
            }
            keepsOpen = respond(to: request, failure: failure, on: connection)
            if request.headers["connection"]?.lowercased() == "close" { keepsOpen = false }
        }
        close(connection)
    }

    /// Reads up to the blank line ending a request head; nil when the client closed or the server
    /// is stopping.
    private func readHead(_ connection: Int32, _ buffer: inout [UInt8]) -> String? {
        let terminator = Array("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while !isStopping {
            if let end = buffer.firstRange(of: terminator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                return head
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return nil
            }
        }
        return nil
    }

    private static func parse(_ head: String) -> Request {
        let lines = head.components(separatedBy: "\r\n")
        let target = lines[0].split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        var query: [String: String] = [:]
        if pathEnd < target.endIndex {
            for pair in target[target.index(after: pathEnd)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in
                    text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
                }
                query[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[line[..<colon].lowercased()] = value
        }
        return Request(path: String(target[..<pathEnd]), query: query, headers: headers, receivedAt: .now)
    }

    // MARK: - Responses

    /// Sends the answer to `request`; false when the connection must close after it.
    private func respond(to request: Request, failure: Failure?, on connection: Int32) -> Bool {
        switch failure {
        case .status(let code, let retryAfter)?:
            let headers = retryAfter.map { ["Retry-After: \($0)"] } ?? []
            return send(connection, status: code, headers: headers, body: Array(#"{"error": "scripted"}"#.utf8))
        case .malformedJSON?:
            return send(connection, status: 200, body: Array(#"{"data": [{"id": 1,"#.utf8))
        case .redirect(let location)?:
            return send(connection, status: 302, headers: ["Location: \(location)"], body: [])
        case .slow(let seconds)?:
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while !isStopping, ContinuousClock.now < deadline { usleep(20_000) }
            let (status, headers, body) = page(for: request)
            return send(connection, status: status, headers: headers, body: body)
        case .cutShort?, .reset?:
            let (status, headers, body) = page(for: request)
            let half = Array(body[..<(body.count / 2)])
            _ = send(connection, status: status, headers: headers, body: half, announcedLength: body.count)
            if case .reset? = failure {
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            } else {
                shutdown(connection, Int32(SHUT_WR))
            }
            return false
        case nil:
            let (status, headers, body) = page(for: request)
            return send(connection, status: status, headers: headers, body: body)
        }
    }

    /// Writes a whole response; false when the client has gone.
    private func send(
        _ connection: Int32, status: Int, headers: [String] = [], body: [UInt8], announcedLength: Int? = nil
    ) -> Bool {
        var head = "HTTP/1.1 \(status) \(HTTPURLResponse.localizedString(forStatusCode: status))\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(announcedLength ?? body.count)\r\n"
        for header in headers { head += header + "\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// The status, extra headers and body that serve `request` from the dataset.
    private func page(for request: Request) -> (Int, [String], [UInt8]) {
        let records = selectedRecords(since: request.query["updated_since"])
        let number = { (name: String, fallback: Int) in request.query[name].flatMap(Int.init) ?? fallback }
        var writer = JSONWriter()
        var headers: [String] = []
        switch request.path {
        case "/records":
            var slice = records[...]
            if request.query["page"] != nil {
                let size = number("per_page", 10)
                slice = Self.window(records, from: (number("page", 1) - 1) * size, count: size)
            } else if request.query["offset"] != nil {
                slice = Self.window(records, from: number("offset", 0), count: number("limit", 10))
            }
            writer.beginObject()
            writer.key("data")
            Self.write(slice, to: &writer)
            writer.endObject()
        case "/cursor":
            let start = request.query["after"].flatMap { Int($0.dropFirst("token-".count)) } ?? 0
            let limit = number("limit", 10)
            writer.beginObject()
            writer.key("data")
            Self.write(Self.window(records, from: start, count: limit), to: &writer)
            writer.key("meta")
            writer.beginObject()
            writer.key("next")
            if start + limit < records.count { writer.string("token-\(start + limit)") } else { writer.null() }
            writer.endObject()
            writer.endObject()
        case "/link":
            let page = number("page", 1)
            let size = number("per_page", 10)
            Self.write(Self.window(records, from: (page - 1) * size, count: size), to: &writer)
            // Two fields, as some APIs send them: next in its own, then first and previous together.
            if page * size < records.count {
                headers.append("Link: <\(Self.target("/link", request.query, page: page + 1))>; rel=\"next\"")
            }
            var links = ["<\(Self.target("/link", request.query, page: 1))>; rel=\"first\""]
            if page > 1 { links.append("<\(Self.target("/link", request.query, page: page - 1))>; rel=\"prev\"") }
            headers.append("Link: " + links.joined(separator: ", "))
        case "/next":
            let page = number("page", 1)
            let size = number("per_page", 10)
            writer.beginObject()
            writer.key("items")
            Self.write(Self.window(records, from: (page - 1) * size, count: size), to: &writer)
            writer.key("paging")
            writer.beginObject()
            writer.key("next")
            if page * size < records.count {
                let target = Self.target("/next", request.query, page: page + 1)
                writer.string(request.query["absolute"] == "1" ? url(target) : target)
            } else {
                writer.null()
            }
            writer.endObject()
            writer.endObject()
        default:
            return (404, [], Array(#"{"error": "no such path"}"#.utf8))
        }
        return (200, headers, writer.bytes)
    }

    private func selectedRecords(since: String?) -> [[String: RecordValue]] {
        let (records, ordering) = state.withLock { ($0.records, $0.ordering) }
        var selected = records
        if let since {
            selected = selected.filter { record in
                if case .text(let updated)? = record["updated_at"] { return updated >= since }
                return false
            }
        }
        guard ordering == .byUpdate else { return selected }
        return selected.sorted { left, right in
            let leftUpdate = Self.sortText(left["updated_at"])
            let rightUpdate = Self.sortText(right["updated_at"])
            if leftUpdate != rightUpdate { return leftUpdate < rightUpdate }
            return Self.sortText(left["id"]) < Self.sortText(right["id"])
        }
    }

    /// Text that sorts like the value: integers are zero-padded so that 9 comes before 10.
    private static func sortText(_ value: RecordValue?) -> String {
        switch value {
        case .integer(let number)?:
            let digits = String(number.magnitude)
            return (number < 0 ? "-" : "+") + String(repeating: "0", count: 20 - digits.count) + digits
        case .text(let text)?: return text
        default: return ""
        }
    }

    private typealias Record = [String: RecordValue]

    private static func window(_ records: [Record], from start: Int, count: Int) -> ArraySlice<Record> {
        let lower = min(max(start, 0), records.count)
        return records[lower..<min(lower + max(count, 0), records.count)]
    }

    /// `path` with the request's query, `page` replaced.
    private static func target(_ path: String, _ query: [String: String], page: Int) -> String {
        var items = query
        items["page"] = String(page)
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return path + "?"
            + items.sorted { $0.key < $1.key }.map { encode($0.key) + "=" + encode($0.value) }
            .joined(separator: "&")
    }

    private static func write(_ records: ArraySlice<[String: RecordValue]>, to writer: inout JSONWriter) {
        writer.beginArray()
        for record in records {
            writer.beginObject()
            for (name, value) in record.sorted(by: { $0.key < $1.key }) {
                writer.key(name)
                switch value {
                case .null: writer.null()
                case .bool(let flag): writer.bool(flag)
                case .integer(let number): writer.integer(number)
                case .real(let number): writer.number(number)
                case .text(let text): writer.string(text)
                case .json(let json): writer.raw(Array(json.utf8))
                }
            }
            writer.endObject()
        }
        writer.endArray()
    }

    // MARK: - Threads

    private final class ThreadBody {
        let run: @Sendable () -> Void

        init(_ run: @escaping @Sendable () -> Void) {
            self.run = run
        }
    }

    /// Starts a POSIX thread running `body`; the caller joins it.
    private static func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, context)
        precondition(status == 0, "pthread_create failed with \(status)")
        return thread
    }
}
