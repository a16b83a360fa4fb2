import Core
import Foundation
import Testing

@testable import Sync

@Suite("Source definitions")
struct SourceDefinitionTests {
    private func parse(_ text: String) throws(SyncError) -> SourceDefinition {
        try SourceDefinition(jsonText: Array(text.utf8))
    }

    private func problems(_ text: String) -> [String: String] {
        do {
            _ = try parse(text)
            return [:]
        } catch {
            return error.fields
        }
    }

    @Test("A complete REST definition reads back the same after encoding")
    func restRoundTrip() throws {
        let text = """
            {"name": "Orders", "kind": "rest", "mode": "incremental", "primaryKey": "id",
             "cursor": {"field": "updated_at", "lookback": 300}, "schedule": {"cron": "*/15 * * * *"},
             "rest": {"url": "https://api.example.com/v1/orders", "recordsPath": "data.items",
                      "pagination": {"style": "cursor", "parameter": "after", "tokenPath": "meta.next"},
                      "auth": {"kind": "bearer", "tokenVariable": "SYNCLINE_SOURCE_ORDERS_TOKEN"},
                      "headers": {"Accept": "application/json"}, "cursorParameter": "updated_since",
                      "requestsPerSecond": 5}}
            """
        let definition = try parse(text)
        #expect(definition.name == "Orders")
        #expect(definition.mode == .incremental)
        #expect(definition.primaryKey == ["id"])
        #expect(definition.cursor == CursorOptions(field: "updated_at", lookback: 300))
        guard case .rest(let options) = definition.connection else {
            Issue.record("not a REST source")
            return
        }
        #expect(options.pagination == .cursor(parameter: "after", tokenPath: "meta.next"))
        #expect(options.auth == .bearer(tokenVariable: "SYNCLINE_SOURCE_ORDERS_TOKEN"))
        #expect(options.requestsPerSecond == 5)
        #expect(try parse(definition.jsonText) == definition)
    }

    @Test("Every pagination style, auth kind and file source survives a round trip")
    func otherShapesRoundTrip() throws {
        let connections: [SourceConnection] = [
            .rest(
                RESTOptions(
                    url: "http://127.0.0.1:9/a",
                    pagination: .pageNumber(parameter: "p", firstPage: 0, sizeParameter: "n", size: 50),
                    auth: .basic(username: "u", passwordVariable: "SYNCLINE_SOURCE_P"))),
            .rest(
                RESTOptions(
                    url: "http://127.0.0.1:9/a",
                    pagination: .offset(offsetParameter: "o", limitParameter: "l", limit: 10),
                    auth: .apiKey(header: "X-Key", variable: "SYNCLINE_SOURCE_K"))),
            .rest(RESTOptions(url: "http://127.0.0.1:9/a", pagination: .linkHeader)),
            .rest(RESTOptions(url: "http://127.0.0.1:9/a", pagination: .nextURL(urlPath: "links.next"))),
            .csv(CSVOptions(path: "orders/2026.csv", delimiter: ";", hasHeader: false)),
            .sqlite(SQLiteSourceOptions(path: "shop.db", selection: .table("main.orders"))),
            .postgres(PostgresSourceOptions(urlVariable: "SYNCLINE_SOURCE_PG", selection: .query("SELECT 1 AS id"))),
        ]
        for connection in connections {
            let definition = SourceDefinition(
                name: "s", connection: connection, schedule: .interval(seconds: 60))
            #expect(try parse(definition.jsonText) == definition)
        }
    }

    @Test("Unknown fields, wrong types and the other kind's options are refused by path")
    func strictFields() {
        let found = problems(
            """
            {"name": "x", "kind": "csv", "colour": "red", "csv": {"path": "a.csv", "hasHeader": "yes", "extra": 1},
             "rest": {"url": "http://a"}}
            """)
        #expect(found["colour"] == "Unknown field.")
        #expect(found["csv.extra"] == "Unknown field.")
        #expect(found["csv.hasHeader"]?.hasPrefix("Must be true or false") == true)
        #expect(found["rest"] != nil)
    }

    @Test("Secrets can only be named through SYNCLINE_SOURCE_ variables")
    func secretVariablesArePrefixed() {
        for variable in ["SYNCLINE_SESSION_SECRET", "HOME", "SYNCLINE_SOURCE_", "SYNCLINE_SOURCE_a"] {
            let found = problems(
                """
                {"name": "x", "kind": "rest", "rest": {"url": "https://a.example",
                 "auth": {"kind": "bearer", "tokenVariable": "\(variable)"}}}
                """)
            #expect(found["rest.auth.tokenVariable"] != nil, "\(variable) was accepted")
        }
    }

    @Test("File paths may not leave the import directory, and URLs must be HTTP with a host")
    func pathsAndURLs() {
        for path in ["/etc/passwd", "../secret.csv", "a/../../b.csv", ""] {
            #expect(problems(#"{"name": "x", "kind": "csv", "csv": {"path": "\#(path)"}}"#)["csv.path"] != nil)
        }
        for url in ["file:///etc/passwd", "ftp://host/x", "https://", "http://user:pw@host/"] {
            #expect(problems(#"{"name": "x", "kind": "rest", "rest": {"url": "\#(url)"}}"#)["rest.url"] != nil)
        }
    }

    @Test("Incremental sources need a cursor, a primary key and a cursor parameter")
    func incrementalNeeds() {
        let found = problems(#"{"name": "x", "kind": "rest", "mode": "incremental", "rest": {"url": "http://a"}}"#)
        #expect(found["cursor"] != nil)
        #expect(found["primaryKey"] != nil)
        #expect(found["rest.cursorParameter"] != nil)
    }

    @Test("Cron expressions find the next matching minute in UTC")
    func cron() throws {
        let start = try #require(Timestamp.parse("2026-12-04T10:07:30Z"))
        #expect(Timestamp.rfc3339(try CronExpression("*/15 * * * *").nextMatch(after: start)) == "2026-12-04T10:15:00Z")
        #expect(Timestamp.rfc3339(try CronExpression("0 3 * * *").nextMatch(after: start)) == "2026-12-05T03:00:00Z")
        #expect(Timestamp.rfc3339(try CronExpression("30 9 * * 1").nextMatch(after: start)) == "2026-12-07T09:30:00Z")
        #expect(Timestamp.rfc3339(try CronExpression("0 0 29 2 *").nextMatch(after: start)) == "2028-02-29T00:00:00Z")
        #expect(throws: SyncError.self) { try CronExpression("61 * * * *") }
        #expect(throws: SyncError.self) { try CronExpression("* * *") }
    }
}
