import CMicroHTTPD
import Core
import Foundation
import Synchronization

/// Why the server could not start.
public struct ServerStartError: Error, CustomStringConvertible {
    /// What failed, such as the address that could not be bound and the system's reason.
    public let description: String
}

/// An HTTP/1.1 server on GNU libmicrohttpd: a pool of threads, each running an epoll loop.
///
/// Requests are read in full (up to the route's body limit) and handed to the responder on the
/// connection's thread, or, for routes declared `blocking`, on a blocking-work thread while the
/// connection is suspended. Early answers (unknown route, wrong method or media type, a declared body
/// over the limit) are decided as soon as the headers arrive, before any body is held.
public final class HTTPServer: Sendable {
    /// The settings the server was created with.
    public let configuration: ServerConfiguration
    /// The routes the server answers, for the OpenAPI document and access checks.
    public let router: Router
    let responder: Responder
    let logger: Logger
    private let daemon = Mutex<DaemonHandle?>(nil)
    private let boundPort = Atomic<UInt16>(0)
    /// Requests between their request line and their completion notice.
    let inFlight = Atomic<Int>(0)
    /// Runs requests of routes declared `blocking` while their connections are suspended.
    let blockingWork: OperationQueue

    /// Creates a server that runs `middleware` (first runs first) around the router.
    public init(configuration: ServerConfiguration, router: Router, middleware: [any Middleware], logger: Logger) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        blockingWork = OperationQueue()
        blockingWork.name = "http-blocking"
        blockingWork.maxConcurrentOperationCount = configuration.threads
        self.responder = middleware.wrapping { request in
            if let rejection = request.attributes[EarlyRejection.self] { throw rejection }
            guard let route = request.route else { throw HTTPError.notFound() }
            return try route.handler(request)
        }
    }

    /// The port the server listens on; meaningful after `start()`.
    public var port: UInt16 { boundPort.load(ordering: .acquiring) }

    /// Binds and starts the worker threads.
    public func start() throws {
        if configuration.tls != nil, MHD_is_feature_supported(.FEATURE_TLS) != .YES {
            throw ServerStartError(description: "this libmicrohttpd was built without TLS support")
        }
        let context = Unmanaged.passRetained(self)
        let started: OpaquePointer? = configuration.host.withCString { host in
            withTLSStrings { key, certificate, priorities in
                var settings = syncline_mhd_settings(
                    host: host, port: configuration.port, threads: UInt32(configuration.threads),
                    connection_limit: UInt32(configuration.connectionLimit),
                    per_ip_connection_limit: UInt32(configuration.perAddressConnectionLimit),
                    connection_timeout_seconds: UInt32(configuration.connectionTimeoutSeconds),
                    connection_memory_limit: configuration.headerMemoryLimit,
                    tls_key_pem: key, tls_cert_pem: certificate, tls_priorities: priorities)
                let pointer = context.toOpaque()
                return syncline_mhd_start(
                    &settings, accessHandler, pointer, requestCompleted, pointer,
                    requestStarted, pointer, keepEscapes, nil)
            }
        }
        guard let started else {
            context.release()
            let reason = String(cString: strerror(errno))
            throw ServerStartError(
                description: "cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        daemon.withLock { $0 = DaemonHandle(pointer: started) }
        boundPort.store(syncline_mhd_bound_port(started), ordering: .releasing)
        logger.info(
            "listening",
            [
                "address": configuration.host, "port": String(port),
                "tls": configuration.tls == nil ? "off" : "on",
                "threads": String(configuration.threads),
            ])
    }

    /// Stops accepting connections, waits up to `gracePeriod` for requests in flight, then closes.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        guard
            let running = daemon.withLock({ value -> DaemonHandle? in
                defer { value = nil }
                return value
            })?.pointer
        else { return }

        let listener = MHD_quiesce_daemon(running)
        if listener >= 0 { close(listener) }
        let deadline = ContinuousClock.now + gracePeriod
        while inFlight.load(ordering: .acquiring) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let unfinished = inFlight.load(ordering: .acquiring)
        // The manual forbids stopping with suspended connections; blocking work resumes its own.
        blockingWork.waitUntilAllOperationsAreFinished()
        MHD_stop_daemon(running)
        Unmanaged.passUnretained(self).release()
        logger.info("stopped", ["unfinishedRequests": String(unfinished)])
    }

    private func withTLSStrings<T>(
        _ body: (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> T
    ) -> T {
        guard let tls = configuration.tls else { return body(nil, nil, nil) }
        return tls.privateKeyPEM.withCString { key in
            tls.certificatePEM.withCString { certificate in
                tls.priorities.withCString { priorities in body(key, certificate, priorities) }
            }
        }
    }
}

/// libmicrohttpd's daemon handle.
///
/// Its owner may quiesce and stop it from any thread, and the `Mutex` around it makes sure only
/// one caller ever does.
struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Set on a request the server has already decided to refuse; the responder throws it, so the
/// refusal still passes through the middleware (headers, metrics, logs) like any other answer.
enum EarlyRejection: RequestAttributeKey {
    typealias Value = HTTPError
}
