import Foundation
import Testing

@testable import HTTP

@Suite("Router") struct RouterTests {
    private func router() -> Router {
        var router = Router()
        let metadata = RouteMetadata(access: .viewer, summary: "test")
        router.add(.get, "/api/v1/sources", metadata) { _ in Response.text("list") }
        router.add(.post, "/api/v1/sources", metadata) { _ in Response.text("create") }
        router.add(.get, "/api/v1/sources/{id}", metadata) { _ in Response.text("one") }
        router.add(.delete, "/api/v1/sources/{id}", metadata) { _ in Response.text("delete") }
        router.add(.get, "/api/v1/sources/{id}/records", metadata) { _ in Response.text("records") }
        return router
    }

    @Test func matchesStaticAndTemplatedPaths() throws {
        let router = router()
        guard case .found(let route, let parameters) = router.match(method: .get, path: "/api/v1/sources/42/records")
        else {
            Issue.record("no match")
            return
        }
        #expect(route.template == "/api/v1/sources/{id}/records")
        #expect(parameters == ["id": "42"])
        guard case .found(let list, _) = router.match(method: .post, path: "/api/v1/sources") else {
            Issue.record("no match")
            return
        }
        #expect(list.method == .post)
    }

    @Test func headFallsBackToGet() {
        guard case .found(let route, _) = router().match(method: .head, path: "/api/v1/sources/7") else {
            Issue.record("no match")
            return
        }
        #expect(route.method == .get)
    }

    @Test func wrongMethodListsAllowedMethods() {
        guard case .methodNotAllowed(let allowed) = router().match(method: .put, path: "/api/v1/sources/7") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.get, .head, .delete])
    }

    @Test(arguments: ["/api/v1/sources/", "/api/v1", "/api/v1/sources/1/records/2", "/API/v1/sources", ""])
    func unknownPathsDoNotMatch(path: String) {
        guard case .notFound = router().match(method: .get, path: Substring(path)) else {
            Issue.record("\(path) should not match")
            return
        }
    }

    @Test func parameterNamesComeFromTemplate() {
        let route = router().routes.first { $0.template == "/api/v1/sources/{id}/records" }
        #expect(route?.parameterNames == ["id"])
    }
}

@Suite("Parsing") struct ParsingTests {
    @Test func queryParametersDecodeEscapesAndPlus() throws {
        let query = try #require(QueryParameters(parsing: "a=1&b=two+words&c=%2F%C3%A9&a=2&flag"))
        #expect(query["a"] == "1")
        #expect(query.values(for: "a") == ["1", "2"])
        #expect(query["b"] == "two words")
        #expect(query["c"] == "/é")
        #expect(query["flag"] == "")
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%C3%28"])
    func malformedEscapesAreRejected(query: String) {
        #expect(QueryParameters(parsing: Substring(query)) == nil)
    }

    @Test func cookiesParseQuotedValuesAndFirstWins() {
        let cookies = Cookies.parse(["a=1; b=\"two\"; =skip; noequals", "a=3; c = spaced "])
        #expect(cookies == ["a": "1", "b": "two", "c": "spaced"])
    }

    @Test func setCookieCarriesSecurityAttributes() {
        var cookie = SetCookie(name: "__Host-syncline_session", value: "v", maxAge: 3600, secure: true)
        #expect(
            cookie.headerValue == "__Host-syncline_session=v; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict")
        cookie.secure = false
        cookie.httpOnly = false
        #expect(cookie.headerValue == "__Host-syncline_session=v; Path=/; Max-Age=3600; SameSite=Strict")
    }

    @Test func headersAreCaseInsensitiveAndKeepRepeats() {
        var headers = HTTPHeaders([("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("Content-Type", "text/plain")])
        #expect(headers["content-type"] == "text/plain")
        #expect(headers.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        headers.set("content-type", "application/json")
        #expect(headers.values(for: "Content-Type") == ["application/json"])
    }

    @Test(arguments: [
        ("abc-123_X.y", true), ("", false), (String(repeating: "a", count: 65), false),
        ("has space", false), ("line\nbreak", false), ("ünicode", false),
    ])
    func requestIDValidation(candidate: String, valid: Bool) {
        #expect(RequestID.isWellFormed(candidate) == valid)
    }

    @Test func mediaTypeIgnoresParameters() {
        let request = Request(
            method: .post, path: "/", headers: HTTPHeaders([("Content-Type", "Application/JSON; charset=utf-8")]))
        #expect(request.mediaType == "application/json")
    }
}

@Suite("OpenAPI") struct OpenAPITests {
    @Test func documentListsRoutesWithAccessAndSchemas() throws {
        var router = Router()
        router.add(
            .post, "/api/v1/things/{id}",
            RouteMetadata(
                access: .admin, summary: "Change a thing.", accepts: ["application/json"],
                requestSchema: .object(properties: [("name", .string())], required: ["name"]),
                responses: [200: ResponseDocumentation("Changed.")])
        ) { _ in Response() }
        router.add(.get, "/assets/app.css", RouteMetadata(access: .anyone, summary: "CSS", hidden: true)) { _ in
            Response()
        }
        let bytes = OpenAPIDocument(title: "Syncline", version: "1").render(routes: router.routes)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(paths.keys.sorted() == ["/api/v1/things/{id}"])
        let operation = try #require((paths["/api/v1/things/{id}"] as? [String: Any])?["post"] as? [String: Any])
        #expect(operation["x-syncline-access"] as? String == "admin")
        #expect(operation["operationId"] as? String == "postApiV1ThingsId")
        let body = try #require(operation["requestBody"] as? [String: Any])
        let content = try #require(body["content"] as? [String: Any])
        #expect(content["application/json"] != nil)
    }
}
