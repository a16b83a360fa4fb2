import Foundation

/// Where a REST read stands among the source's pages.
///
/// In a checkpoint it is written as text: the page number or offset in decimal, the token, or
/// the absolute URL; nil for the first page of a source whose first page has no number, and an
/// empty string once every page has been read.
enum RESTPagePosition: Hashable {
    /// The first page of a source that numbers nothing: no pagination, a cursor, or links.
    case start
    /// A page number or a record offset.
    case number(Int)
    /// A cursor token to send back.
    case token(String)
    /// The next page's own URL.
    case url(URL)
    /// Every page has been read.
    case end

    /// The position as a checkpoint stores it.
    var checkpointText: String? {
        switch self {
        case .start: nil
        case .number(let number): String(number)
        case .token(let token): token
        case .url(let url): url.absoluteString
        case .end: ""
        }
    }
}

/// What the connector learned from one page that the next position depends on.
struct RESTPageSummary {
    /// The number of records on the page.
    var recordCount: Int
    /// The page's `Link` header field, when it had one.
    var linkHeader: String?
    /// The URL the page came from, after redirects; relative next-page URLs resolve against it.
    var url: URL
}

extension RESTPagination {
    /// The position a checkpoint's `position` stands for, nil meaning the first page.
    func position(resuming text: String?) throws(SyncError) -> RESTPagePosition {
        guard let text else {
            switch self {
            case .pageNumber(_, let firstPage, _, _): return .number(firstPage)
            case .offset: return .number(0)
            case .none, .cursor, .linkHeader, .nextURL: return .start
            }
        }
        if text.isEmpty { return .end }
        switch self {
        case .pageNumber, .offset:
            if let number = Int(text), number >= 0 { return .number(number) }
        case .cursor:
            return .token(text)
        case .linkHeader, .nextURL:
            if let url = URL(string: text), RESTConnector.isHTTP(url) { return .url(url) }
        case .none:
            break
        }
        throw SyncError(.configuration, "The saved position does not fit this source's pagination.")
    }

    /// The URL that asks for the page at `position`, built from the source's URL `base`.
    func url(of position: RESTPagePosition, base: URL) -> URL {
        switch (self, position) {
        case (.pageNumber(let parameter, _, let sizeParameter, let size), .number(let page)):
            var items = [(parameter, String(page))]
            if let sizeParameter, let size { items.append((sizeParameter, String(size))) }
            return base.settingQueryItems(items)
        case (.offset(let offsetParameter, let limitParameter, let limit), .number(let offset)):
            return base.settingQueryItems([(offsetParameter, String(offset)), (limitParameter, String(limit))])
        case (.cursor(let parameter, _), .token(let token)):
            return base.settingQueryItems([(parameter, token)])
        case (_, .url(let url)):
            return url
        default:
            return base
        }
    }

    /// The position of the page after the one at `position`, which `page` describes and whose body
    /// `parser` holds.
    func position(
        after position: RESTPagePosition, page: RESTPageSummary, parser: JSONPageParser
    ) throws(SyncError) -> RESTPagePosition {
        let next: RESTPagePosition
        switch (self, position) {
        case (.none, _):
            next = .end
        case (.pageNumber(_, _, _, let size), .number(let number)):
            let isLast = page.recordCount == 0 || size.map { page.recordCount < $0 } ?? false
            next = isLast ? .end : .number(number + 1)
        case (.offset(_, _, let limit), .number(let offset)):
            next = page.recordCount < limit ? .end : .number(offset + page.recordCount)
        case (.cursor(_, let tokenPath), _):
            next = try Self.text(at: tokenPath, in: parser, naming: "cursor token").map(RESTPagePosition.token) ?? .end
        case (.linkHeader, _):
            next =
                page.linkHeader.flatMap { LinkHeader.target(of: "next", in: $0, relativeTo: page.url) }
                .map(RESTPagePosition.url) ?? .end
        case (.nextURL(let urlPath), _):
            guard let text = try Self.text(at: urlPath, in: parser, naming: "next-page URL") else {
                next = .end
                break
            }
            guard let url = URL(string: text, relativeTo: page.url)?.absoluteURL, RESTConnector.isHTTP(url) else {
                throw SyncError(.sourceData, "The next-page URL at \(urlPath) is not an http(s) URL.")
            }
            next = .url(url)
        default:
            // Page-number and offset reads always stand at a number.
            next = .end
        }
        if next == position || next == .url(page.url) {
            throw SyncError(.sourceData, "The source gave this page's own token or URL as the next one; reading stops.")
        }
        return next
    }

    /// The text or number at `path`; nil when it is absent, null or empty.
    private static func text(at path: String, in parser: JSONPageParser, naming what: String) throws(SyncError)
        -> String?
    {
        switch try parser.value(at: path) {
        case nil, .null?: return nil
        case .text(let text)?: return text.isEmpty ? nil : text
        case .integer(let number)?: return String(number)
        default: throw SyncError(.sourceData, "The \(what) at \(path) is neither text nor a whole number.")
        }
    }
}

extension URL {
    /// The URL with each of `items` set as a query parameter, replacing any of the same name.
    ///
    /// Names and values are percent-encoded except for RFC 3986's unreserved characters, so a
    /// `+` in a timestamp reaches the source as a plus, not as a space.
    func settingQueryItems(_ items: [(name: String, value: String)]) -> URL {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: true) else { return self }
        let encoded = items.map { URLQueryItem(name: Self.encode($0.name), value: Self.encode($0.value)) }
        let names = Set(encoded.map(\.name))
        let kept = (components.percentEncodedQueryItems ?? []).filter { !names.contains($0.name) }
        components.percentEncodedQueryItems = kept + encoded
        return components.url ?? self
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
