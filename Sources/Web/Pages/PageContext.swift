import HTTP
import Identity

/// What every page needs to know about its request: who is signed in, the CSRF token its forms
/// carry, and where it is.
public struct PageContext: Sendable {
    /// The signed-in user's principal; nil on the sign-in page.
    public let principal: Principal?
    /// The token every form of the page carries in `csrf_token`.
    public let csrfToken: String
    /// The path of the page, for navigation and sign-in redirects.
    public let path: String

    /// The signed-in user's name.
    public var username: String { principal?.user.username ?? "" }

    /// Whether the signed-in user is an admin, who sees the controls that change things.
    public var isAdmin: Bool { principal?.user.role == .admin }

    /// A hidden form field with the CSRF token.
    public var csrfField: HTML {
        "<input type=\"hidden\" name=\"csrf_token\" value=\"\(csrfToken)\">"
    }
}

extension Router {
    /// Adds a page: an HTML route for `access`, left out of the OpenAPI document.
    ///
    /// Unsafe methods take form bodies (`application/x-www-form-urlencoded`) up to `bodyLimit`.
    /// `blocking` runs it off the connection threads (pages that hash passwords).
    public mutating func page(
        _ method: HTTPMethod, _ template: String, access: Access, identity: IdentityService, blocking: Bool = false,
        bodyLimit: Int = 64 * 1024, _ handler: @escaping @Sendable (Request, PageContext) throws -> Response
    ) {
        let takesForm = !method.isSafe
        add(
            method, template,
            RouteMetadata(
                access: access, summary: "Page \(template).", tags: ["pages"],
                accepts: takesForm ? ["application/x-www-form-urlencoded"] : [], bodyLimit: bodyLimit, hidden: true,
                blocking: blocking)
        ) { request in
            let principal = request.principal
            let context = PageContext(
                principal: principal, csrfToken: principal.map(identity.csrfToken(for:)) ?? "", path: request.path)
            return try handler(request, context)
        }
    }
}
