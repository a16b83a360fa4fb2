import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A response as it arrived, body whole.
struct RESTResponse {
    /// The status code.
    var status: Int
    /// The response's header fields and final URL.
    var head: HTTPURLResponse
    /// The body.
    var body: [UInt8]
}

/// Why a request brought back no response to use.
enum RESTTransportError: Error {
    /// No complete response arrived within the time allowed.
    case timedOut
    /// The connection failed; `reason` is a sentence for the admin, and trying again may help
    /// when `retryable`.
    case network(reason: String, retryable: Bool)
    /// The body grew past ``JSONPageParser/maximumPageBytes``.
    case tooLarge
    /// The run was cancelled while the request was in flight.
    case cancelled
    /// The source redirected to a host the egress policy refuses.
    case redirectRefused(SyncError)
}

/// Sends one REST read's requests through a URLSession, one at a time, blocking the caller.
///
/// The connector protocol is synchronous and a sync runs on a thread of its own, so a request
/// waits for its response, in slices of a tenth of a second so that a cancelled run stops
/// promptly. Certificates are verified (URLSession's default). Redirects are followed only to
/// hosts the egress policy allows, and never carry credentials to another origin.
final class RESTTransport: Sendable {
    private let session: URLSession
    private let delegate: RESTSessionDelegate
    private let timeout: Double

    /// Creates a transport that gives each request `timeout` seconds, checks redirects against
    /// `egress`, and drops the headers named in `credentialHeaders` when a redirect leads to
    /// another origin.
    init(timeout: Double, egress: EgressPolicy, credentialHeaders: Set<String>) {
        self.timeout = timeout
        delegate = RESTSessionDelegate(egress: egress, credentialHeaders: credentialHeaders)
        let configuration = URLSessionConfiguration.ephemeral
        // URLSession's own limits (60 s idle by default) must not cut in before the source's.
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Sends `request` and waits for the whole response, until the timeout or until `isCancelled`.
    func send(_ request: URLRequest, isCancelled: () -> Bool) throws(RESTTransportError) -> RESTResponse {
        let task = session.dataTask(with: request)
        let exchange = delegate.begin(task)
        task.resume()
        let deadline = DispatchTime.now() + timeout
        while exchange.finished.wait(timeout: min(deadline, .now() + 0.1)) == .timedOut {
            if isCancelled() {
                task.cancel()
                throw .cancelled
            }
            if DispatchTime.now() >= deadline {
                task.cancel()
                throw .timedOut
            }
        }
        return try exchange.outcome()
    }
}

/// One request's progress, filled in by the session's delegate queue and read by the caller once
/// `finished` is signalled.
private final class RESTExchange: Sendable {
    struct Progress {
        var body: [UInt8] = []
        var tooLarge = false
        var refusal: SyncError?
        var error: (any Error)?
        var response: URLResponse?
    }

    let progress = Mutex(Progress())
    let finished = DispatchSemaphore(value: 0)

    func outcome() throws(RESTTransportError) -> RESTResponse {
        let progress = progress.withLock { $0 }
        if let refusal = progress.refusal { throw .redirectRefused(refusal) }
        if progress.tooLarge { throw .tooLarge }
        if let error = progress.error { throw Self.classify(error) }
        guard let head = progress.response as? HTTPURLResponse else {
            throw .network(reason: "The source's answer was not HTTP.", retryable: true)
        }
        return RESTResponse(status: head.statusCode, head: head, body: progress.body)
    }

    private static func classify(_ error: any Error) -> RESTTransportError {
        guard let error = error as? URLError else {
            return .network(reason: "The request failed.", retryable: true)
        }
        switch error.code {
        case .timedOut:
            return .timedOut
        case .networkConnectionLost:
            return .network(reason: "The connection was lost before the response was complete.", retryable: true)
        case .cannotConnectToHost:
            return .network(reason: "The connection was refused.", retryable: true)
        case .cannotFindHost, .dnsLookupFailed:
            return .network(reason: "The host name could not be resolved.", retryable: true)
        case .notConnectedToInternet:
            return .network(reason: "The network is unreachable.", retryable: true)
        case .badServerResponse:
            return .network(reason: "The response was not valid HTTP.", retryable: true)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return .network(reason: "The TLS connection failed or the certificate is not trusted.", retryable: false)
        case .httpTooManyRedirects, .redirectToNonExistentLocation:
            return .network(reason: "The source's redirects lead nowhere.", retryable: false)
        default:
            // libcurl's own words, such as "transfer closed with 204 bytes remaining to read" for a
            // body cut short, say more than the generic code it maps to.
            let detail = error.userInfo[NSLocalizedDescriptionKey] as? String ?? "URL error \(error.code.rawValue)"
            return .network(reason: "The request failed (\(detail)).", retryable: true)
        }
    }
}

/// Collects each task's response and body, and vets redirects.
private final class RESTSessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let egress: EgressPolicy
    private let credentialHeaders: Set<String>
    /// Exchanges in flight by task identifier; a cancelled task's late callbacks find nothing.
    private let exchanges = Mutex<[Int: RESTExchange]>([:])

    init(egress: EgressPolicy, credentialHeaders: Set<String>) {
        self.egress = egress
        self.credentialHeaders = credentialHeaders
    }

    func begin(_ task: URLSessionTask) -> RESTExchange {
        let exchange = RESTExchange()
        exchanges.withLock { $0[task.taskIdentifier] = exchange }
        return exchange
    }

    private func exchange(of task: URLSessionTask) -> RESTExchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(of: dataTask) else { return }
        let overflow = exchange.progress.withLock { progress in
            guard !progress.tooLarge else { return false }
            progress.body.append(contentsOf: data)
            progress.tooLarge = progress.body.count > JSONPageParser.maximumPageBytes
            return progress.tooLarge
        }
        if overflow { dataTask.cancel() }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        guard let target = request.url else { return completionHandler(nil) }
        do {
            try egress.check(target)
        } catch {
            exchange(of: task)?.progress.withLock { $0.refusal = error }
            return completionHandler(nil)
        }
        var redirected = request
        if let origin = task.originalRequest?.url, !RESTOrigin(origin).matches(target) {
            for name in credentialHeaders { redirected.setValue(nil, forHTTPHeaderField: name) }
        }
        completionHandler(redirected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let exchange = exchanges.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        exchange.progress.withLock { progress in
            progress.response = task.response
            if progress.error == nil { progress.error = error }
        }
        exchange.finished.signal()
    }
}

/// The scheme, host and port of a URL: credentials go only where they were meant to.
struct RESTOrigin: Hashable {
    private let scheme: String
    private let host: String
    private let port: Int?

    /// The origin of `url`.
    init(_ url: URL) {
        scheme = url.scheme?.lowercased() ?? ""
        host = url.host?.lowercased() ?? ""
        port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil)
    }

    /// Whether `url` has this origin.
    func matches(_ url: URL) -> Bool {
        RESTOrigin(url) == self
    }
}
