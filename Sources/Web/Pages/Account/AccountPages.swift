import HTTP
import Identity

/// `/account`: who the signed-in user is, and changing one's own password.
///
/// A changed password ends every other session of the user; this browser gets the new session's
/// cookies with the redirect, so it stays signed in.
struct AccountPages {
    let identity: IdentityService

    /// The form's field names by the identity service's names for them.
    private static let fieldNames = ["currentPassword": "current_password", "newPassword": "new_password"]

    func register(on router: inout Router) {
        router.page(.get, "/account", access: .viewer, identity: identity) { request, context in
            let changed = request.query["done"] == "password"
            let notice: Layout.Notice? =
                changed ? .success("Your password was changed. Your other sessions have ended.") : nil
            return .html(page(try request.requirePrincipal(), context, notice: notice))
        }
        router.page(
            .post, "/account/password", access: .viewer, identity: identity, blocking: true, bodyLimit: 8 * 1024
        ) { request, context in
            try changePassword(request, context)
        }
    }

    /// Checks the form and changes the password: back to the page with the new session's cookies,
    /// or the form again with the reason beside each refused field.
    private func changePassword(_ request: Request, _ context: PageContext) throws -> Response {
        let principal = try request.requirePrincipal()
        let form = FormBody(request)
        let current = form.raw("current_password") ?? ""
        let new = form.raw("new_password") ?? ""
        var errors: [String: String] = [:]
        if current.isEmpty { errors["current_password"] = "Enter your current password." }
        if new.isEmpty { errors["new_password"] = "Enter a new password." }
        if form.raw("repeat_password") != new { errors["repeat_password"] = "This differs from the new password." }
        guard errors.isEmpty else {
            return .html(page(principal, context, errors: errors), status: 422)
        }
        do {
            let session = try identity.changeOwnPassword(principal, current: current, new: new, client: request.client)
            var response = Response.redirect(to: "/account?done=password")
            identity.setSessionCookies(for: session, on: &response)
            return response
        } catch let error as IdentityError {
            for (field, message) in error.fields { errors[Self.fieldNames[field] ?? field] = message }
            let notice: Layout.Notice? = errors.isEmpty ? .error(error.message) : nil
            var response = Response.html(page(principal, context, notice: notice, errors: errors), status: error.status)
            for (name, value) in error.headers { response.headers.set(name, value) }
            return response
        }
    }

    /// The account page, with `errors` beside the password fields they concern.
    private func page(
        _ principal: Principal, _ context: PageContext, notice: Layout.Notice? = nil, errors: [String: String] = [:]
    ) -> HTML {
        let user = principal.user
        let fields = [
            FormField(
                label: "Current password", name: "current_password", type: "password",
                autocomplete: "current-password", error: errors["current_password"]),
            FormField(
                label: "New password", name: "new_password", type: "password", autocomplete: "new-password",
                hint: "At least 12 characters, not a commonly used password, not your username.",
                error: errors["new_password"]),
            FormField(
                label: "Repeat the new password", name: "repeat_password", type: "password",
                autocomplete: "new-password", error: errors["repeat_password"]),
        ].map(\.html)
        return Layout.page(
            title: "Your account", context: context, section: .account, notice: notice,
            content: """
                <div class="page-head"><h1>Your account</h1></div>
                <section class="card" aria-labelledby="who">
                  <h2 id="who">Signed in as</h2>
                  <dl class="facts">
                    <dt>Username</dt><dd>\(user.username)</dd>
                    <dt>Role</dt><dd>\(user.role.summary)</dd>
                    <dt>Session ends</dt><dd>\(HTML.time(principal.expiresAt))</dd>
                    <dt>Account created</dt><dd>\(HTML.time(user.createdAt))</dd>
                  </dl>
                </section>
                <section class="card" aria-labelledby="change-password">
                  <h2 id="change-password">Change password</h2>
                  <p class="muted">Your other sessions end; this one stays signed in.</p>
                  <form class="stack" method="post" action="/account/password">
                    \(context.csrfField)
                    \(fields)
                    <div><button type="submit">Change password</button></div>
                  </form>
                </section>
                """)
    }
}
