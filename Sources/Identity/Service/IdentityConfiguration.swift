import Core
import Foundation

/// Settings of sign-in, sessions and request limits, from the App layer's configuration.
public struct IdentityConfiguration: Sendable {
    /// The `iss` claim of every token.
    public var issuer = "syncline"
    /// The `aud` claim of every token: the public URL, so tokens of another deployment fail.
    public var audience: String
    /// The origin (`scheme://host[:port]`) that unsafe cookie requests must come from.
    public var publicOrigin: String
    /// Whether the public URL is HTTPS: cookies get `Secure` and the session cookie `__Host-`.
    public var secureCookies: Bool
    /// The signing secret, and the previous one still accepted during a rotation.
    public var sessionSecret: [UInt8]
    /// The secret that verified tokens signed before the current secret took over.
    public var previousSessionSecret: [UInt8]?
    /// The sign-in throttle.
    public var loginThrottle = LoginThrottleConfiguration()
    /// Proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: [IPNetwork] = []
    /// API requests per minute from one address; 0 turns the limit off.
    public var requestsPerMinutePerAddress = 1200
    /// API requests per minute of one signed-in user; 0 turns the limit off.
    public var requestsPerMinutePerUser = 600
    /// Threads that hash passwords; each takes a core while it works.
    public var hashingThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    /// Sign-ins waiting for a hashing thread before more are answered 503.
    public var hashingQueueLimit = 16

    /// Creates settings with the defaults above.
    public init(
        audience: String, publicOrigin: String, secureCookies: Bool, sessionSecret: [UInt8],
        previousSessionSecret: [UInt8]? = nil
    ) {
        self.audience = audience
        self.publicOrigin = publicOrigin
        self.secureCookies = secureCookies
        self.sessionSecret = sessionSecret
        self.previousSessionSecret = previousSessionSecret
    }

    /// The session cookie's name: `__Host-` prefixed over HTTPS, so no subdomain can plant it.
    public var sessionCookieName: String {
        secureCookies ? "__Host-syncline_session" : "syncline_session"
    }

    /// The CSRF cookie's name; pages read it and send it back in `X-CSRF-Token`.
    public static let csrfCookieName = "syncline_csrf"
}
