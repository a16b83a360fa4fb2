import Core
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches the pages of one read or connection check: egress checks, credentials, the request
/// rate cap, retries with back-off, and parsing.
///
/// A fetcher belongs to one read on one thread. After ``fetch(_:page:)`` returns, its ``parser``
/// holds the page, validated.
final class RESTPageFetcher {
    /// The longest wait a `Retry-After` can impose, in seconds; longer requests are cut to it.
    static let maximumRetryAfter = 300.0
    /// The longest back-off between attempts, in seconds.
    static let maximumBackOff = 30.0

    /// Holds the last page fetched.
    let parser = JSONPageParser()

    private let options: RESTOptions
    private let context: ConnectorContext
    private let maxRetries: Int
    private let retryBaseDelay: Double
    private let transport: RESTTransport
    /// Header fields that carry the credentials, sent only to the origin of the source's URL.
    private let credentials: [String: String]
    private let origin: RESTOrigin
    /// Hosts the egress policy has allowed during this read.
    private var allowedHosts: Set<String> = []
    private var lastRequest: ContinuousClock.Instant?

    /// Reads the credentials for a fetcher of `options`' pages; at most `maxRetries` retries
    /// follow a failed attempt, the first after up to `retryBaseDelay` seconds.
    init(
        options: RESTOptions, source: URL, context: ConnectorContext, maxRetries: Int, retryBaseDelay: Double
    ) throws(SyncError) {
        self.options = options
        self.context = context
        self.maxRetries = maxRetries
        self.retryBaseDelay = retryBaseDelay
        origin = RESTOrigin(source)
        switch options.auth {
        case .none:
            credentials = [:]
        case .bearer(let variable):
            credentials = ["Authorization": "Bearer " + (try context.secrets.value(of: variable))]
        case .apiKey(let header, let variable):
            credentials = [header: try context.secrets.value(of: variable)]
        case .basic(let username, let variable):
            let pair = username + ":" + (try context.secrets.value(of: variable))
            credentials = ["Authorization": "Basic " + Data(pair.utf8).base64EncodedString()]
        }
        transport = RESTTransport(
            timeout: options.timeoutSeconds, egress: context.egress, credentialHeaders: Set(credentials.keys))
    }

    /// Fetches the page at `url`, the `page`th of this read, into ``parser``, trying again after
    /// failures that may pass; returns the response.
    func fetch(_ url: URL, page: Int) throws(SyncError) -> RESTResponse {
        try checkEgress(url)
        let request = makeRequest(url)
        var attempt = 0
        while true {
            try waitForTurn()
            let failure: RetryableFailure
            switch try send(request, page: page, url: url) {
            case .success(let response): return response
            case .failure(let retryable): failure = retryable
            }
            guard attempt < maxRetries else {
                let tries = attempt == 0 ? "" : " after \(attempt + 1) attempts"
                throw failed(failure.kind, page: page, url: url, "failed\(tries). " + failure.reason)
            }
            let delay = failure.retryAfter ?? backOff(attempt: attempt)
            context.logger.info(
                "Retrying a REST page",
                [
                    "host": url.host ?? "", "page": String(page), "attempt": String(attempt + 2),
                    "delay_ms": String(Int(delay * 1000)), "reason": context.secrets.redact(failure.reason),
                ])
            try pause(seconds: delay)
            attempt += 1
        }
    }

    /// The records of the page in ``parser``, at the source's records path.
    func records(page: Int, url: URL) throws(SyncError) -> RecordBatch {
        do {
            return try parser.records(at: options.recordsPath)
        } catch {
            throw failed(error.kind, page: page, url: url, "failed. " + error.message)
        }
    }

    /// An error about the `page`th page at `url`: its host and path, never its query, which may
    /// carry a token, and secrets redacted.
    func failed(_ kind: SyncError.Kind, page: Int, url: URL, _ detail: String) -> SyncError {
        let place = (url.host ?? "") + url.path
        return SyncError(kind, context.secrets.redact("Reading page \(page) of \(place) \(detail)"))
    }

    // MARK: - One attempt

    /// A failed attempt that another may mend.
    private struct RetryableFailure: Error {
        var kind: SyncError.Kind
        var reason: String
        /// How long the source asked to wait, in seconds.
        var retryAfter: Double?
    }

    /// Sends `request` once; throws when trying again cannot help.
    private func send(
        _ request: URLRequest, page: Int, url: URL
    ) throws(SyncError) -> Result<RESTResponse, RetryableFailure> {
        let response: RESTResponse
        do {
            response = try transport.send(request, isCancelled: context.isCancelled)
        } catch {
            switch error {
            case .cancelled:
                throw SyncError(.cancelled, "The sync was cancelled.")
            case .redirectRefused(let refusal):
                throw failed(.configuration, page: page, url: url, "failed. It redirects elsewhere: " + refusal.message)
            case .tooLarge:
                let limit = JSONPageParser.maximumPageBytes >> 20
                throw failed(.sourceData, page: page, url: url, "failed. The page is larger than \(limit) MiB.")
            case .timedOut:
                let seconds = options.timeoutSeconds.formatted(.number.precision(.fractionLength(0...1)))
                return .failure(
                    RetryableFailure(kind: .connection, reason: "No complete response within \(seconds) s."))
            case .network(let reason, let retryable):
                guard retryable else { throw failed(.connection, page: page, url: url, "failed. " + reason) }
                return .failure(RetryableFailure(kind: .connection, reason: reason))
            }
        }

        switch response.status {
        case 200..<300:
            do {
                try parser.load(response.body)
            } catch {
                return .failure(RetryableFailure(kind: error.kind, reason: error.message))
            }
            context.logger.debug(
                "Read a REST page",
                [
                    "host": url.host ?? "", "page": String(page), "status": String(response.status),
                    "bytes": String(response.body.count),
                ])
            return .success(response)
        case 429, 500...:
            // A 503 may carry Retry-After too (RFC 9110 §10.2.3); other server errors back off.
            let retryAfter = Self.retryAfter(response.head.value(forHTTPHeaderField: "Retry-After"), now: Date())
            let meaning = response.status == 429 ? " (too many requests)" : ""
            return .failure(
                RetryableFailure(
                    kind: .connection, reason: "The source answered HTTP \(response.status)\(meaning).",
                    retryAfter: retryAfter))
        case 401, 403:
            throw failed(
                .connection, page: page, url: url,
                "failed. The source refused the credentials (HTTP \(response.status)).")
        default:
            throw failed(.connection, page: page, url: url, "failed. The source answered HTTP \(response.status).")
        }
    }

    private func makeRequest(_ url: URL) -> URLRequest {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData)
        request.httpMethod = "GET"
        if !options.headers.keys.contains(where: { $0.lowercased() == "accept" }) {
            request.setValue("application/json", forHTTPHeaderField: "Accept")
        }
        for (name, value) in options.headers { request.setValue(value, forHTTPHeaderField: name) }
        if origin.matches(url) {
            for (name, value) in credentials { request.setValue(value, forHTTPHeaderField: name) }
        }
        return request
    }

    // MARK: - Egress, pacing and back-off

    /// Refuses `url` unless the egress policy lets sources reach its host; each host is checked
    /// once per read, before the first request to it.
    private func checkEgress(_ url: URL) throws(SyncError) {
        let host = url.host?.lowercased() ?? ""
        guard !allowedHosts.contains(host) else { return }
        do {
            try context.egress.check(url)
        } catch {
            throw SyncError(error.kind, context.secrets.redact(error.message))
        }
        allowedHosts.insert(host)
    }

    /// Waits until the request rate cap allows another request.
    private func waitForTurn() throws(SyncError) {
        if let rate = options.requestsPerSecond, rate > 0, let lastRequest {
            let earliest = lastRequest + .seconds(1 / rate)
            let now = ContinuousClock.now
            if earliest > now { try pause(seconds: (earliest - now).seconds) }
        }
        lastRequest = .now
    }

    /// A random wait up to `base · 2^attempt` seconds, at most ``maximumBackOff`` ("full jitter"),
    /// so that many syncs failing at once do not retry in step.
    private func backOff(attempt: Int) -> Double {
        let ceiling = min(Self.maximumBackOff, retryBaseDelay * pow(2, Double(min(attempt, 30))))
        return Double.random(in: 0...ceiling)
    }

    /// Sleeps `seconds`, in slices of at most 50 ms, stopping early when the run is cancelled.
    private func pause(seconds: Double) throws(SyncError) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            try context.checkCancelled()
            let remaining = deadline - .now
            guard remaining > .zero else { return }
            Thread.sleep(forTimeInterval: min(remaining.seconds, 0.05))
        }
    }

    /// The wait a `Retry-After` value asks for: delay-seconds or an HTTP date, at most
    /// ``maximumRetryAfter``; nil when absent or unreadable.
    static func retryAfter(_ value: String?, now: Date) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) {
            return seconds >= 0 ? min(Double(seconds), maximumRetryAfter) : nil
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return min(max(date.timeIntervalSince(now), 0), maximumRetryAfter)
    }
}
