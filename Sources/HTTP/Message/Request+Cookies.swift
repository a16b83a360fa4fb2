extension Request {
    /// Cookies from every `Cookie` header; the first occurrence of a name wins.
    public var cookies: [String: String] {
        Cookies.parse(headers.values(for: "Cookie"))
    }
}

/// Parsing of `Cookie` request headers and writing of `Set-Cookie` values (RFC 6265).
public enum Cookies {
    /// Parses `name=value; other="quoted"` pairs; pairs without a name or `=` are skipped.
    public static func parse(_ headerValues: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headerValues {
            for pair in header.split(separator: ";") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = pair[..<equals].trimmingWhitespace()
                var value = pair[pair.index(after: equals)...].trimmingWhitespace()
                guard !name.isEmpty else { continue }
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = value.dropFirst().dropLast()
                }
                if cookies[String(name)] == nil {
                    cookies[String(name)] = String(value)
                }
            }
        }
        return cookies
    }
}

/// A `Set-Cookie` value with the attributes Syncline uses.
public struct SetCookie: Sendable {
    /// When browsers send the cookie on requests that start on another site.
    public enum SameSite: String, Sendable {
        /// Never on requests from other sites.
        case strict = "Strict"
        /// Also on top-level navigations from other sites, such as following a link.
        case lax = "Lax"
    }

    /// The name the browser stores the cookie under.
    public var name: String
    /// The cookie's content, written as given without escaping.
    public var value: String
    /// The URL path the browser sends the cookie for; `/` covers the whole site.
    public var path = "/"
    /// Seconds until the browser discards the cookie; nil makes it last for the browser session.
    public var maxAge: Int?
    /// Whether to hide the cookie from page scripts.
    public var httpOnly = true
    /// Whether browsers send the cookie only over HTTPS.
    public var secure = false
    /// The cross-site policy; strict unless changed.
    public var sameSite: SameSite = .strict

    /// Creates a cookie for the whole site with `SameSite=Strict`.
    public init(name: String, value: String, maxAge: Int? = nil, httpOnly: Bool = true, secure: Bool = false) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
    }

    /// The header value, such as `name=v; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict`.
    public var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=\(path)"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        parts.append("SameSite=\(sameSite.rawValue)")
        return parts.joined(separator: "; ")
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
