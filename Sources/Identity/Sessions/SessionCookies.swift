import HTTP

extension IdentityService {
    /// Adds the session and CSRF cookies of `session` to `response`.
    ///
    /// The session cookie is `HttpOnly`; the CSRF cookie is readable by the site's own scripts,
    /// which echo it in `X-CSRF-Token`, and useless to any other site.
    public func setSessionCookies(for session: SignedIn, on response: inout Response) {
        let lifetime = max(0, Int(session.expiresAt.timeIntervalSinceNow))
        let sessionCookie = SetCookie(
            name: configuration.sessionCookieName, value: session.token, maxAge: lifetime,
            secure: configuration.secureCookies)
        let csrfCookie = SetCookie(
            name: IdentityConfiguration.csrfCookieName, value: session.csrfToken, maxAge: lifetime, httpOnly: false,
            secure: configuration.secureCookies)
        response.headers.add("Set-Cookie", sessionCookie.headerValue)
        response.headers.add("Set-Cookie", csrfCookie.headerValue)
    }

    /// Adds cookies to `response` that make the browser forget the session and CSRF cookies.
    public func clearSessionCookies(on response: inout Response) {
        for (name, httpOnly) in [
            (configuration.sessionCookieName, true), (IdentityConfiguration.csrfCookieName, false),
        ] {
            let cookie = SetCookie(
                name: name, value: "", maxAge: 0, httpOnly: httpOnly, secure: configuration.secureCookies)
            response.headers.add("Set-Cookie", cookie.headerValue)
        }
    }
}
