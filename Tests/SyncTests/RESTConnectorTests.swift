import Core
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Sync

/// A way of paging through the test server's records.
struct PagingStyle: Sendable, CustomTestStringConvertible {
    var name: String
    var path: String
    var recordsPath: String
    var pagination: RESTPagination

    var testDescription: String { name }

    static let all = [
        PagingStyle(name: "none", path: "/records", recordsPath: "data", pagination: .none),
        PagingStyle(
            name: "page number with size", path: "/records", recordsPath: "data",
            pagination: .pageNumber(parameter: "page", firstPage: 1, sizeParameter: "per_page", size: 7)),
        PagingStyle(
            name: "page number without size", path: "/records?per_page=7", recordsPath: "data",
            pagination: .pageNumber(parameter: "page", firstPage: 1, sizeParameter: nil, size: nil)),
        PagingStyle(
            name: "offset", path: "/records", recordsPath: "data",
            pagination: .offset(offsetParameter: "offset", limitParameter: "limit", limit: 7)),
        PagingStyle(
            name: "cursor", path: "/cursor?limit=7", recordsPath: "data",
            pagination: .cursor(parameter: "after", tokenPath: "meta.next")),
        PagingStyle(name: "link header", path: "/link?per_page=7", recordsPath: "", pagination: .linkHeader),
        PagingStyle(
            name: "relative next URL", path: "/next?per_page=7", recordsPath: "items",
            pagination: .nextURL(urlPath: "paging.next")),
        PagingStyle(
            name: "absolute next URL", path: "/next?per_page=7&absolute=1", recordsPath: "items",
            pagination: .nextURL(urlPath: "paging.next")),
    ]
}

@Suite("REST connector")
struct RESTConnectorTests {
    static let secret = "s3cret-token-value"
    static let environment = ["SYNCLINE_SOURCE_TOKEN": secret]

    /// `count` records of mixed kinds, with ids from 1 and `updated_at` growing with the id.
    static func dataset(_ count: Int) -> [[String: RecordValue]] {
        (1...count).map { id in
            [
                "id": .integer(Int64(id)), "name": .text("Customer \(id) — ü"), "amount": .real(Double(id) * 1.5),
                "active": .bool(id.isMultiple(of: 2)), "note": .null, "tags": .json(#"["a",{"b":1}]"#),
                "updated_at": .text(String(format: "2024-01-01T00:%02d:%02dZ", id / 60, id % 60)),
            ]
        }
    }

    private func context(
        environment: [String: String] = environment, egress: EgressPolicy = .unrestricted,
        sink: MemoryLogSink = MemoryLogSink(), isCancelled: @escaping @Sendable () -> Bool = { false }
    ) -> ConnectorContext {
        ConnectorContext(
            secrets: SecretResolver(environment: environment), importDirectory: ImportDirectory(path: "/tmp"),
            egress: egress, logger: Logger(label: "test", level: .debug, sink: sink), isCancelled: isCancelled)
    }

    private func connector(_ options: RESTOptions) -> RESTConnector {
        RESTConnector(options: options, retryBaseDelay: 0.01)
    }

    private func readAll(
        _ connector: RESTConnector, from checkpoint: SyncCheckpoint = SyncCheckpoint(),
        context: ConnectorContext
    ) throws(SyncError) -> [(batch: RecordBatch, checkpoint: SyncCheckpoint)] {
        var delivered: [(batch: RecordBatch, checkpoint: SyncCheckpoint)] = []
        try connector.read(from: checkpoint, context: context) { batch, checkpoint in
            delivered.append((batch, checkpoint))
        }
        return delivered
    }

    /// Every record delivered, as dictionaries of its non-null values and nulls alike.
    private func records(_ batches: [(batch: RecordBatch, checkpoint: SyncCheckpoint)]) -> [[String: RecordValue]] {
        batches.flatMap { batch, _ in
            (0..<batch.count).map { record in
                Dictionary(
                    uniqueKeysWithValues: batch.fieldNames.enumerated().map { field, name in
                        (name, batch.value(record: record, field: field))
                    })
            }
        }
    }

    private func ids(_ batches: [(batch: RecordBatch, checkpoint: SyncCheckpoint)]) -> [Int64] {
        records(batches).map { record in
            if case .integer(let id)? = record["id"] { return id }
            return -1
        }
    }

    private func readFailure(
        _ connector: RESTConnector, context: ConnectorContext
    ) -> SyncError? {
        #expect(throws: SyncError.self) { _ = try readAll(connector, context: context) }
    }

    // MARK: - Pagination

    @Test(
        "Every pagination style reads the whole dataset exactly once",
        arguments: PagingStyle.all, [28, 30])
    func everyStyleReadsEverything(style: PagingStyle, count: Int) throws {
        let server = try SourceTestServer(records: Self.dataset(count))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url(style.path), recordsPath: style.recordsPath, pagination: style.pagination)
        let batches = try readAll(connector(options), context: context())

        #expect(records(batches) == Self.dataset(count))
        #expect(batches.allSatisfy { !$0.batch.isEmpty })
        if case .none = style.pagination {
            #expect(batches.count == 1)
        } else {
            #expect(batches.count == (count + 6) / 7)
        }
    }

    @Test("Resuming from a mid-run checkpoint asks for the next page and reads the rest", arguments: PagingStyle.all)
    func resumeFromCheckpoint(style: PagingStyle) throws {
        let server = try SourceTestServer(records: Self.dataset(30))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url(style.path), recordsPath: style.recordsPath, pagination: style.pagination)
        let all = try readAll(connector(options), context: context())
        guard all.count > 2 else { return }

        let resumed = try readAll(connector(options), from: all[1].checkpoint, context: context())
        #expect(ids(resumed) == ids(Array(all.dropFirst(2))))
        #expect(resumed.map(\.checkpoint) == all.dropFirst(2).map(\.checkpoint))

        let afterEnd = try readAll(connector(options), from: all[all.count - 1].checkpoint, context: context())
        #expect(ids(afterEnd).isEmpty)
    }

    @Test("An incremental read sends the since value, plus sign and all, with every page request")
    func incrementalSendsSince() throws {
        let server = try SourceTestServer(records: Self.dataset(30))
        defer { server.stop() }
        let since = "2024-01-01T00:00:10+00:00"
        let options = RESTOptions(
            url: server.url("/link?per_page=4"), pagination: .linkHeader, cursorParameter: "updated_since")
        let batches = try readAll(connector(options), from: SyncCheckpoint(since: since), context: context())

        // "…00:10Z" sorts after "…00:10+00:00", so record 10 is read too.
        #expect(ids(batches) == Array(10...30))
        #expect(server.requests.count == 6)
        #expect(server.requests.allSatisfy { $0.query["updated_since"] == since })
        #expect(batches.allSatisfy { $0.checkpoint.since == since })
    }

    @Test("Records are delivered as the source serves them, duplicates and disorder included")
    func duplicatesAreDelivered() throws {
        let records = Self.dataset(5)
        let server = try SourceTestServer(records: [records[3], records[0], records[3], records[1]])
        defer { server.stop() }
        server.ordering = .asGiven
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data")
        let batches = try readAll(connector(options), context: context())
        #expect(ids(batches) == [4, 1, 4, 2])
    }

    @Test("Records changed while a sync runs are read from the source as it then stands")
    func datasetChangesMidRun() throws {
        let server = try SourceTestServer(records: Self.dataset(20))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url("/records"), recordsPath: "data",
            pagination: .pageNumber(parameter: "page", firstPage: 1, sizeParameter: "per_page", size: 10))
        var seen: [Int64] = []
        try connector(options).read(from: SyncCheckpoint(), context: context()) { batch, _ in
            let field = batch.existingPosition(ofField: "id") ?? -1
            seen += (0..<batch.count).compactMap { record in
                if case .integer(let id) = batch.value(record: record, field: field) { return id }
                return nil
            }
            if seen.count == 10 { server.records = Array(Self.dataset(25).dropFirst(5)) }
        }
        #expect(seen == Array(1...10) + Array(16...25))
    }

    // MARK: - Authentication

    @Test(
        "Each auth kind sends its header with the secret from the environment",
        arguments: [
            (RESTAuth.bearer(tokenVariable: "SYNCLINE_SOURCE_TOKEN"), "authorization", "Bearer \(secret)"),
            (
                RESTAuth.apiKey(header: "X-API-Key", variable: "SYNCLINE_SOURCE_TOKEN"), "x-api-key", secret
            ),
            (
                RESTAuth.basic(username: "reader", passwordVariable: "SYNCLINE_SOURCE_TOKEN"), "authorization",
                "Basic " + Data("reader:\(secret)".utf8).base64EncodedString()
            ),
        ])
    func authHeaders(auth: RESTAuth, header: String, value: String) throws {
        let server = try SourceTestServer(records: Self.dataset(9))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url("/link?per_page=4"), pagination: .linkHeader, auth: auth, headers: ["X-Tenant": "acme"])
        _ = try readAll(connector(options), context: context())

        #expect(server.requests.count == 3)
        for request in server.requests {
            #expect(request.headers[header] == value)
            #expect(request.headers["x-tenant"] == "acme")
            #expect(request.headers["accept"] == "application/json")
        }
    }

    @Test("A missing secret variable stops the read before any request")
    func missingSecret() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url("/records"), recordsPath: "data", auth: .bearer(tokenVariable: "SYNCLINE_SOURCE_OTHER"))
        let error = readFailure(connector(options), context: context())
        #expect(error?.kind == .configuration)
        #expect(server.requests.isEmpty)
    }

    @Test("Credentials are not sent to another origin that a next-page link names")
    func credentialsStayWithTheOrigin() throws {
        let server = try SourceTestServer(records: Self.dataset(9))
        defer { server.stop() }
        // The server's absolute links name 127.0.0.1, another origin than localhost.
        let options = RESTOptions(
            url: "http://localhost:\(server.port)/next?per_page=4&absolute=1", recordsPath: "items",
            pagination: .nextURL(urlPath: "paging.next"), auth: .bearer(tokenVariable: "SYNCLINE_SOURCE_TOKEN"))
        let batches = try readAll(connector(options), context: context())

        #expect(ids(batches) == Array(1...9))
        #expect(server.requests.map { $0.headers["authorization"] } == ["Bearer \(Self.secret)", nil, nil])
    }

    @Test("A refusal of the credentials fails at once, and no error text holds the secret", arguments: [401, 403])
    func refusedCredentials(status: Int) throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        server.fail(request: 1, with: .status(status))
        let options = RESTOptions(
            url: server.url("/records?key=\(Self.secret)"), recordsPath: "data",
            auth: .bearer(tokenVariable: "SYNCLINE_SOURCE_TOKEN"))
        let sink = MemoryLogSink()
        let error = readFailure(connector(options), context: context(sink: sink))

        #expect(error?.kind == .connection)
        #expect(
            error?.message
                == "Reading page 1 of 127.0.0.1/records failed. The source refused the credentials (HTTP \(status)).")
        #expect(server.requests.count == 1)
        #expect(error.map { !"\($0)".contains(Self.secret) } == true)
        #expect(sink.lines.allSatisfy { !$0.contains(Self.secret) })
    }

    @Test("A client error other than 429 fails at once with its status")
    func clientError() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        let options = RESTOptions(url: server.url("/missing"), recordsPath: "data")
        let error = readFailure(connector(options), context: context())
        #expect(error?.kind == .connection)
        #expect(error?.message == "Reading page 1 of 127.0.0.1/missing failed. The source answered HTTP 404.")
        #expect(server.requests.count == 1)
    }

    // MARK: - Robustness

    @Test("Server errors and a connection reset are retried and the read succeeds")
    func serverErrorsAndResetsAreRetried() throws {
        let server = try SourceTestServer(records: Self.dataset(20))
        defer { server.stop() }
        server.fail(request: 2, with: .status(500))
        server.fail(request: 3, with: .status(503))
        server.fail(request: 5, with: .reset)
        let options = RESTOptions(
            url: server.url("/records"), recordsPath: "data",
            pagination: .offset(offsetParameter: "offset", limitParameter: "limit", limit: 7),
            auth: .bearer(tokenVariable: "SYNCLINE_SOURCE_TOKEN"), maxRetries: 3)
        let sink = MemoryLogSink()
        let batches = try readAll(connector(options), context: context(sink: sink))

        #expect(ids(batches) == Array(1...20))
        #expect(server.requests.map { $0.query["offset"] } == ["0", "7", "7", "7", "14", "14"])
        let retries = sink.lines.filter { $0.contains("Retrying a REST page") }
        #expect(retries.count == 3)
        #expect(retries.allSatisfy { $0.contains("\"host\":\"127.0.0.1\"") && !$0.contains(Self.secret) })
    }

    @Test("A 429 or 503 with Retry-After waits about that long before trying again", arguments: [429, 503])
    func retryAfterIsHonoured(status: Int) throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        server.fail(request: 1, with: .status(status, retryAfter: "1"))
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data")
        let batches = try readAll(connector(options), context: context())

        #expect(ids(batches) == [1, 2, 3])
        let requests = server.requests
        #expect(requests.count == 2)
        let waited = (requests[1].receivedAt - requests[0].receivedAt).seconds
        #expect(waited >= 0.95 && waited < 3, "waited \(waited) s")
    }

    @Test("Retry-After is read as seconds or an HTTP date, and capped at five minutes")
    func retryAfterValues() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2025-03-01T12:00:00Z"))
        #expect(RESTPageFetcher.retryAfter("7", now: now) == 7)
        #expect(RESTPageFetcher.retryAfter("Sat, 01 Mar 2025 12:00:42 GMT", now: now) == 42)
        #expect(RESTPageFetcher.retryAfter("Sat, 01 Mar 2025 11:00:00 GMT", now: now) == 0)
        #expect(RESTPageFetcher.retryAfter("86400", now: now) == 300)
        #expect(RESTPageFetcher.retryAfter("-5", now: now) == nil)
        #expect(RESTPageFetcher.retryAfter("soon", now: now) == nil)
        #expect(RESTPageFetcher.retryAfter(nil, now: now) == nil)
    }

    @Test("Malformed JSON is retried, then fails as source data after the last retry")
    func malformedJSONFails() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        for request in 1...3 { server.fail(request: request, with: .malformedJSON) }
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data", maxRetries: 2)
        let error = readFailure(connector(options), context: context())

        #expect(error?.kind == .sourceData)
        #expect(
            error?.message.hasPrefix(
                "Reading page 1 of 127.0.0.1/records failed after 3 attempts. The page is not valid JSON (") == true)
        #expect(server.requests.count == 3)
    }

    @Test("A body cut short is retried, then fails as a connection error after the last retry")
    func cutShortBodyFails() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        for request in 1...3 { server.fail(request: request, with: .cutShort) }
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data", maxRetries: 2)
        let error = readFailure(connector(options), context: context())

        #expect(error?.kind == .connection)
        #expect(error?.message.hasPrefix("Reading page 1 of 127.0.0.1/records failed after 3 attempts.") == true)
        #expect(error?.message.contains("(transfer closed with") == true)
        #expect(server.requests.count == 3)
    }

    @Test("A response slower than the timeout fails as a connection error")
    func slowResponseTimesOut() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        server.fail(request: 1, with: .slow(seconds: 5))
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data", timeoutSeconds: 0.5, maxRetries: 0)
        let started = ContinuousClock.now
        let error = readFailure(connector(options), context: context())

        #expect(error?.kind == .connection)
        #expect(error?.message == "Reading page 1 of 127.0.0.1/records failed. No complete response within 0.5 s.")
        #expect((ContinuousClock.now - started).seconds < 3)
    }

    @Test("The request rate cap spaces requests at least 1/rate apart")
    func requestRateCap() throws {
        let server = try SourceTestServer(records: Self.dataset(12))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url("/link?per_page=3"), pagination: .linkHeader, requestsPerSecond: 5)
        _ = try readAll(connector(options), context: context())

        // Requests leave the client 0.2 s apart; the margin absorbs scheduling delays on arrival.
        let times = server.requests.map(\.receivedAt)
        #expect(times.count == 4)
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect((later - earlier).seconds >= 0.15, "\((later - earlier).seconds) s apart")
        }
        #expect((times[3] - times[0]).seconds >= 0.55)
    }

    @Test("A cancelled run stops between pages")
    func cancellationBetweenPages() throws {
        let server = try SourceTestServer(records: Self.dataset(20))
        defer { server.stop() }
        let cancelled = Atomic<Bool>(false)
        let options = RESTOptions(url: server.url("/link?per_page=5"), pagination: .linkHeader)
        let context = context(isCancelled: { cancelled.load(ordering: .relaxed) })
        let error = #expect(throws: SyncError.self) {
            try connector(options).read(from: SyncCheckpoint(), context: context) { _, _ in
                cancelled.store(true, ordering: .relaxed)
            }
        }
        #expect(error?.kind == .cancelled)
        #expect(server.requests.count == 1)
    }

    // MARK: - Egress

    @Test("A link-local URL is refused before any request is sent")
    func linkLocalRefused() {
        let options = RESTOptions(url: "http://169.254.169.254/latest/meta-data", recordsPath: "")
        let error = readFailure(connector(options), context: context())
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("link-local") == true)
    }

    @Test("An allowlist of 10.0.0.0/8 refuses the loopback source without a request")
    func allowlistRefusesLoopback() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data")
        let egress = try #require(EgressPolicy(allowlist: "10.0.0.0/8"))
        let error = readFailure(connector(options), context: context(egress: egress))
        #expect(error?.kind == .configuration)
        #expect(error?.message == "The host 127.0.0.1 is not in SYNCLINE_EGRESS_ALLOW.")
        #expect(server.requests.isEmpty)
    }

    @Test("A redirect to a link-local address is refused")
    func redirectToLinkLocalRefused() throws {
        let server = try SourceTestServer(records: Self.dataset(3))
        defer { server.stop() }
        server.fail(request: 1, with: .redirect(to: "http://169.254.169.254/latest/meta-data"))
        let options = RESTOptions(url: server.url("/records"), recordsPath: "data")
        let error = readFailure(connector(options), context: context())
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("redirects elsewhere") == true)
        #expect(server.requests.count == 1)
    }

    // MARK: - Connection check

    @Test("The connection check fetches only the first page and describes it")
    func connectionCheck() throws {
        let server = try SourceTestServer(records: Self.dataset(30))
        defer { server.stop() }
        let options = RESTOptions(
            url: server.url("/link?per_page=25"), pagination: .linkHeader,
            auth: .bearer(tokenVariable: "SYNCLINE_SOURCE_TOKEN"))
        let summary = try connector(options).checkConnection(context: context())
        #expect(summary == "HTTP 200, 25 records on the first page")
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(Self.secret)")
    }
}

@Suite("REST link headers")
struct LinkHeaderTests {
    private let base = URL(string: "https://api.example.com/v1/items?page=2")!

    @Test("The next link is found among several, relative targets resolved against the request")
    func severalLinks() {
        let field = #"</v1/items?page=1>; rel="first", </v1/items?page=3>; rel="next", <https://x.example/4>; rel=last"#
        #expect(
            LinkHeader.target(of: "next", in: field, relativeTo: base)?.absoluteString
                == "https://api.example.com/v1/items?page=3")
        #expect(LinkHeader.target(of: "last", in: field, relativeTo: base)?.absoluteString == "https://x.example/4")
    }

    @Test("Relation lists, letter case, quoted commas and extra parameters are understood")
    func parameters() {
        let field = #"<?page=9>; title="a, b; c"; REL="Prev Next"; rel="ignored", <other>; rel=first"#
        #expect(
            LinkHeader.target(of: "next", in: field, relativeTo: base)?.absoluteString
                == "https://api.example.com/v1/items?page=9")
        #expect(
            LinkHeader.target(of: "first", in: field, relativeTo: base)?.absoluteString
                == "https://api.example.com/v1/other")
    }

    @Test("No next link, or a malformed field, means there is no next page")
    func absent() {
        #expect(LinkHeader.target(of: "next", in: #"</a>; rel="prev""#, relativeTo: base) == nil)
        #expect(LinkHeader.target(of: "next", in: "rel=next", relativeTo: base) == nil)
        #expect(LinkHeader.target(of: "next", in: "", relativeTo: base) == nil)
    }
}

@Suite("REST page positions")
struct RESTPagePositionTests {
    private let base = URL(string: "https://api.example.com/v1/items?page=1&keep=yes")!

    @Test("Checkpoint text reads back as the position it was written from")
    func roundTrip() throws {
        let cases: [(RESTPagination, RESTPagePosition)] = [
            (.pageNumber(parameter: "page", firstPage: 1, sizeParameter: nil, size: nil), .number(4)),
            (.offset(offsetParameter: "o", limitParameter: "l", limit: 5), .number(25)),
            (.cursor(parameter: "after", tokenPath: "next"), .token("abc+/=")),
            (.linkHeader, .url(URL(string: "https://api.example.com/v1/items?page=3")!)),
            (.nextURL(urlPath: "next"), .end),
            (.none, .end),
        ]
        for (pagination, position) in cases {
            #expect(try pagination.position(resuming: position.checkpointText) == position)
        }
        #expect(try RESTPagination.cursor(parameter: "after", tokenPath: "next").position(resuming: nil) == .start)
        #expect(
            try RESTPagination.offset(offsetParameter: "o", limitParameter: "l", limit: 5).position(resuming: nil)
                == .number(0))
    }

    @Test("A saved position that does not fit the pagination is refused")
    func mismatchedPosition() {
        let page = RESTPagination.pageNumber(parameter: "page", firstPage: 1, sizeParameter: nil, size: nil)
        for (pagination, text) in [(page, "abc"), (page, "-1"), (.none, "5"), (.linkHeader, "ftp://x/y")] {
            let error = #expect(throws: SyncError.self) { try pagination.position(resuming: text) }
            #expect(error?.kind == .configuration)
        }
    }

    @Test("Query parameters replace those of the same name and are strictly percent-encoded")
    func queryEncoding() {
        let url = base.settingQueryItems([("page", "2"), ("since", "2024-01-01T00:00:00+01:00 x&y")])
        #expect(
            url.absoluteString
                == "https://api.example.com/v1/items?keep=yes&page=2&since=2024-01-01T00%3A00%3A00%2B01%3A00%20x%26y")
    }

    @Test("A next page that names the current page stops the read instead of looping")
    func repeatedNextPage() throws {
        let parser = JSONPageParser()
        try parser.load(Array(#"{"next": "abc", "url": "/v1/items?page=1&keep=yes"}"#.utf8))
        let summary = RESTPageSummary(recordCount: 3, linkHeader: nil, url: base)
        let cursor = RESTPagination.cursor(parameter: "after", tokenPath: "next")
        #expect(throws: SyncError.self) { try cursor.position(after: .token("abc"), page: summary, parser: parser) }
        #expect(try cursor.position(after: .start, page: summary, parser: parser) == .token("abc"))
        let next = RESTPagination.nextURL(urlPath: "url")
        let error = #expect(throws: SyncError.self) { try next.position(after: .start, page: summary, parser: parser) }
        #expect(error?.kind == .sourceData)
    }

    @Test("A next-page token must be text or a whole number, and an empty one ends the read")
    func tokenKinds() throws {
        let parser = JSONPageParser()
        let summary = RESTPageSummary(recordCount: 3, linkHeader: nil, url: base)
        let cursor = RESTPagination.cursor(parameter: "after", tokenPath: "next")
        try parser.load(Array(#"{"next": 42}"#.utf8))
        #expect(try cursor.position(after: .start, page: summary, parser: parser) == .token("42"))
        try parser.load(Array(#"{"next": ""}"#.utf8))
        #expect(try cursor.position(after: .start, page: summary, parser: parser) == .end)
        try parser.load(Array(#"{"next": {"id": 1}}"#.utf8))
        #expect(throws: SyncError.self) { try cursor.position(after: .start, page: summary, parser: parser) }
    }
}
