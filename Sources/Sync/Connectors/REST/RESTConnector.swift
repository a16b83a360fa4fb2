import Foundation

/// Reads records from a JSON API over HTTP(S), page by page.
///
/// Each page is one GET; its records are the objects in the array at the source's records path,
/// and they are delivered as one batch. The checkpoint delivered with a page says where the next
/// page starts (see ``RESTPagePosition``), so a run resumed from it asks for exactly that page.
/// For an incremental sync, the checkpoint's `since` value is sent as the cursor parameter with
/// every request; the source does the filtering.
///
/// Every host is checked against the egress policy before the first request to it, including
/// hosts that next-page links point at. Credentials are sent only to the origin of the source's
/// URL. A page that fails with a server error, a network error, a timeout, a truncated body,
/// malformed JSON or `429 Too Many Requests` is tried again, up to the source's retry limit;
/// other refusals end the read at once.
public struct RESTConnector: Connector {
    /// The first wait between attempts, in seconds, before doubling and jitter.
    static let retryBaseDelay = 0.5

    private let options: RESTOptions
    private let retryBaseDelay: Double

    /// Creates a connector for a source with `options`.
    public init(options: RESTOptions) {
        self.init(options: options, retryBaseDelay: Self.retryBaseDelay)
    }

    /// Creates a connector whose back-off starts from `retryBaseDelay` seconds.
    init(options: RESTOptions, retryBaseDelay: Double) {
        self.options = options
        self.retryBaseDelay = retryBaseDelay
    }

    /// Fetches and parses the first page, trying again at most once; describes the answer.
    public func checkConnection(context: ConnectorContext) throws(SyncError) -> String {
        let source = try sourceURL()
        let fetcher = try RESTPageFetcher(
            options: options, source: source, context: context, maxRetries: min(options.maxRetries, 1),
            retryBaseDelay: retryBaseDelay)
        let position = try options.pagination.position(resuming: nil)
        let url = options.pagination.url(of: position, base: source)
        let response = try fetcher.fetch(url, page: 1)
        let count = try fetcher.records(page: 1, url: url).count
        return "HTTP \(response.status), \(count) record\(count == 1 ? "" : "s") on the first page"
    }

    /// Reads page after page from `checkpoint`, delivering each page's records as one batch.
    public func read(
        from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        let source = try sourceURL()
        var position = try options.pagination.position(resuming: checkpoint.position)
        guard position != .end else { return }
        let fetcher = try RESTPageFetcher(
            options: options, source: source, context: context, maxRetries: options.maxRetries,
            retryBaseDelay: retryBaseDelay)
        var page = 0
        while position != .end {
            try context.checkCancelled()
            page += 1
            var url = options.pagination.url(of: position, base: source)
            if let parameter = options.cursorParameter, let since = checkpoint.since {
                url = url.settingQueryItems([(parameter, since)])
            }
            let response = try fetcher.fetch(url, page: page)
            let batch = try fetcher.records(page: page, url: url)
            let summary = RESTPageSummary(
                recordCount: batch.count, linkHeader: response.head.value(forHTTPHeaderField: "Link"),
                url: response.head.url ?? url)
            let next: RESTPagePosition
            do {
                next = try options.pagination.position(after: position, page: summary, parser: fetcher.parser)
            } catch {
                throw fetcher.failed(error.kind, page: page, url: url, "failed. " + error.message)
            }
            if !batch.isEmpty {
                try deliver(batch, SyncCheckpoint(since: checkpoint.since, position: next.checkpointText))
            }
            position = next
        }
    }

    private func sourceURL() throws(SyncError) -> URL {
        guard let url = URL(string: options.url), Self.isHTTP(url) else {
            throw SyncError(.configuration, "The source's URL is not an http:// or https:// URL with a host.")
        }
        return url
    }

    /// Whether `url` is an `http` or `https` URL with a host.
    static func isHTTP(_ url: URL) -> Bool {
        ["http", "https"].contains(url.scheme?.lowercased()) && !(url.host ?? "").isEmpty
    }
}
