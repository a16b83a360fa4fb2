import HTTP

/// The identity layer's errors, each with the status and message a client sees.
///
/// Messages never say whether a username exists: every failed sign-in is `invalidCredentials`.
public enum IdentityError: Error, Sendable, Equatable, HTTPResponseError {
    /// Wrong username or password, or a disabled account: one answer for all three.
    case invalidCredentials
    /// No valid session or bearer token came with a request that needs one.
    case unauthenticated
    /// The signed-in user's role does not allow the route.
    case forbidden
    /// An unsafe cookie-authenticated request lacked a valid CSRF token or a same-origin `Origin`.
    case csrfRejected
    /// Too many attempts; try again after this many seconds.
    case throttled(retryAfter: Int)
    /// Every password hashing slot is taken; try again shortly.
    case busy(retryAfter: Int)
    /// No such user.
    case notFound
    /// The change clashes with existing state (a taken username, the last admin).
    case conflict(String)
    /// Input failed validation, with a message per field.
    case invalid(fields: [String: String])

    /// The HTTP status code sent to the client.
    public var status: Int {
        switch self {
        case .invalidCredentials, .unauthenticated: 401
        case .forbidden, .csrfRejected: 403
        case .throttled: 429
        case .busy: 503
        case .notFound: 404
        case .conflict: 409
        case .invalid: 422
        }
    }

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidCredentials: "invalid_credentials"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .csrfRejected: "csrf_rejected"
        case .throttled: "rate_limited"
        case .busy: "busy"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .invalid: "validation_failed"
        }
    }

    /// A message safe to show the client.
    public var message: String {
        switch self {
        case .invalidCredentials: "Incorrect username or password."
        case .unauthenticated: "Sign in to continue."
        case .forbidden: "Your role does not allow this."
        case .csrfRejected: "This request did not come from a Syncline page of this site."
        case .throttled(let seconds): "Too many attempts. Try again in \(seconds) seconds."
        case .busy: "The server is busy. Try again shortly."
        case .notFound: "No such user."
        case .conflict(let message): message
        case .invalid: "Some fields are invalid."
        }
    }

    /// Per-field messages for validation errors.
    public var fields: [String: String] {
        if case .invalid(let fields) = self { return fields }
        return [:]
    }

    /// `Retry-After` on 429 and 503, `WWW-Authenticate` on 401.
    public var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        switch self {
        case .throttled(let seconds), .busy(let seconds):
            headers.set("Retry-After", String(seconds))
        case .invalidCredentials, .unauthenticated:
            headers.set("WWW-Authenticate", #"Bearer realm="syncline""#)
        default:
            break
        }
        return headers
    }
}
