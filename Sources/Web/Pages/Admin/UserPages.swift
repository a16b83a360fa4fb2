import Foundation
import HTTP
import Identity

/// `/users`: admins list accounts, create them, change roles, disable, enable, reset passwords
/// and delete.
///
/// Every change is a POST that answers `303 See Other` back to the list with a notice, so a
/// reload never repeats it. A refused change shows the list again with the server's reason: a
/// new user or a new password beside the field it concerns, anything else at the top.
struct UserPages {
    let identity: IdentityService

    private static let bodyLimit = 8 * 1024

    func register(on router: inout Router) {
        router.page(.get, "/users", access: .admin, identity: identity) { request, context in
            .html(try page(context, notice: UserNotice(request.query).map { .success($0.text) }))
        }
        router.page(.post, "/users", access: .admin, identity: identity, blocking: true, bodyLimit: Self.bodyLimit) {
            request, context in
            try create(request, context)
        }
        userAction("role", on: &router) { id, form, request, context in
            guard let role = form["role"].flatMap(Role.init(rawValue:)) else {
                throw IdentityError.invalid(fields: ["role": "Choose admin or viewer."])
            }
            let user = try identity.updateUser(id: id, role: role, actor: context.username, client: request.client)
            return UserNotice(change: role == .admin ? .madeAdmin : .madeViewer, username: user.username)
        }
        userAction("disabled", on: &router) { id, form, request, context in
            guard let disabled = form["disabled"].flatMap(Bool.init) else {
                throw IdentityError.invalid(fields: ["disabled": "Choose true or false."])
            }
            let user = try identity.updateUser(
                id: id, disabled: disabled, actor: context.username, client: request.client)
            return UserNotice(change: disabled ? .disabled : .enabled, username: user.username)
        }
        userAction("password", on: &router, blocking: true) { id, form, request, context in
            guard let password = form.raw("password"), !password.isEmpty else {
                throw IdentityError.invalid(fields: ["password": "Enter a new password."])
            }
            let user = try identity.updateUser(
                id: id, password: password, actor: context.username, client: request.client)
            return UserNotice(change: .passwordReset, username: user.username)
        }
        userAction("delete", on: &router) { id, _, request, context in
            guard id != context.principal?.user.id else {
                throw IdentityError.conflict("You cannot delete your own account.")
            }
            let user = try identity.deleteUser(id: id, actor: context.username, client: request.client)
            return UserNotice(change: .deleted, username: user.username)
        }
    }

    /// Handles the new-user form: back to the list on success, the form with its errors otherwise.
    private func create(_ request: Request, _ context: PageContext) throws -> Response {
        let form = FormBody(request)
        var draft = NewUser(username: form["username"] ?? "", role: form["role"] ?? "")
        let password = form.raw("password") ?? ""
        let role = Role(rawValue: draft.role)
        if draft.username.isEmpty { draft.errors["username"] = "Enter a username." }
        if password.isEmpty { draft.errors["password"] = "Enter a password." }
        if role == nil { draft.errors["role"] = "Choose admin or viewer." }
        guard let role, draft.errors.isEmpty else {
            return .html(try page(context, draft: draft), status: 422)
        }
        do {
            let user = try identity.createUser(
                username: draft.username, password: password, role: role, actor: context.username,
                client: request.client)
            return .redirect(to: UserNotice(change: .created, username: user.username).location)
        } catch let error as IdentityError {
            switch error {
            case .invalid(let fields): draft.errors = fields
            case .conflict(let message): draft.errors["username"] = message
            default: return Self.refusal(error, try page(context, notice: .error(error.message), draft: draft))
            }
            return .html(try page(context, draft: draft), status: error.status)
        }
    }

    /// Adds `POST /users/{id}/<verb>`: `change` does the work and says what to tell the admin; an
    /// identity error shows the list again with the reason.
    private func userAction(
        _ verb: String, on router: inout Router, blocking: Bool = false,
        _ change: @escaping @Sendable (Int64, FormBody, Request, PageContext) throws -> UserNotice
    ) {
        router.page(
            .post, "/users/{id}/\(verb)", access: .admin, identity: identity, blocking: blocking,
            bodyLimit: Self.bodyLimit
        ) { request, context in
            guard let id = Int64(try request.parameter("id")), id > 0 else { throw IdentityError.notFound }
            do {
                return .redirect(to: try change(id, FormBody(request), request, context).location)
            } catch let error as IdentityError {
                let problems = error.fields.keys.sorted().compactMap { error.fields[$0] }
                let notice = Layout.Notice.error(problems.isEmpty ? error.message : problems.joined(separator: " "))
                let list = try page(context, notice: notice, passwordProblem: error.fields["password"].map { (id, $0) })
                return Self.refusal(error, list)
            }
        }
    }

    /// `page` with the status of `error` and its `Retry-After`, if any.
    private static func refusal(_ error: IdentityError, _ page: HTML) -> Response {
        var response = Response.html(page, status: error.status)
        for (name, value) in error.headers { response.headers.set(name, value) }
        return response
    }

    /// The list page: the new-user form (with what was typed and why it was refused) and the
    /// users, with `passwordProblem` beside the password form of the user it names.
    private func page(
        _ context: PageContext, notice: Layout.Notice? = nil, draft: NewUser = NewUser(),
        passwordProblem: (id: Int64, message: String)? = nil
    ) throws -> HTML {
        let users = try identity.users.list()
        let rows = users.map { user in
            let problem = passwordProblem?.id == user.id ? passwordProblem?.message : nil
            return UserRow(user: user, context: context, problem: problem).html
        }
        let count = users.count == 1 ? "1 account" : "\(users.count) accounts"
        let username = FormField(
            label: "Username", name: "username", value: draft.username, autocomplete: "off",
            hint: "3 to 64 of a-z, 0-9, '.', '_' and '-'.", error: draft.errors["username"])
        let password = FormField(
            label: "Password", name: "password", type: "password", autocomplete: "new-password",
            hint: "At least 12 characters, not a commonly used password.", error: draft.errors["password"])
        let roles = FormField.options([Role.viewer, .admin].map { ($0.rawValue, $0.summary) }, selected: draft.role)
        let roleError: HTML = draft.errors["role"].map { "<span class=\"field-error\">\($0)</span>" } ?? .empty
        return Layout.page(
            title: "Users", context: context, section: .users, notice: notice,
            content: """
                <div class="page-head">
                  <div>
                    <h1>Users</h1>
                    <p class="muted">\(count). Changing a role, status or password ends the user's sessions.</p>
                  </div>
                </div>
                <section class="card" aria-labelledby="new-user">
                  <h2 id="new-user">New user</h2>
                  <form class="stack" method="post" action="/users">
                    \(context.csrfField)
                    <div class="fields">
                      \(username.html)
                      \(password.html)
                      <label for="role">Role <select id="role" name="role">\(roles)</select>\(roleError)</label>
                    </div>
                    <div><button type="submit">Create user</button></div>
                  </form>
                </section>
                <section class="card" aria-labelledby="all-users">
                  <h2 id="all-users">All users</h2>
                  <div class="table-wrap">
                    <table>
                      <thead>
                        <tr><th>Username</th><th>Role</th><th>Status</th><th class="hide-narrow">Created</th>
                        <th>Reset password</th><th>Delete</th></tr>
                      </thead>
                      <tbody>
                      \(rows)
                      </tbody>
                    </table>
                  </div>
                </section>
                """)
    }
}

/// One user in the list: each cell holds the form that changes what it shows.
///
/// The signed-in admin's own row offers no delete (the server refuses it) and sends password
/// changes to the account page, which asks for the current password.
private struct UserRow {
    let user: User
    let context: PageContext
    /// Why a password reset of this user was refused.
    let problem: String?

    private var isSelf: Bool { user.id == context.principal?.user.id }
    private var signOut: String { isSelf ? "You will be signed out." : "Their sessions end at once." }

    var html: HTML {
        let you: HTML = isSelf ? " <span class=\"badge\">you</span>" : .empty
        return """
            <tr>
              <td>\(user.username)\(you)</td>
              <td>\(roleForm)</td>
              <td>\(status)</td>
              <td class="hide-narrow">\(HTML.time(user.createdAt))</td>
              <td>\(password)</td>
              <td>\(delete)</td>
            </tr>
            """
    }

    private var roleForm: HTML {
        let confirm: HTML = isSelf ? " data-confirm=\"Change your own role? \(signOut)\"" : .empty
        let options = FormField.options([("viewer", "Viewer"), ("admin", "Admin")], selected: user.role.rawValue)
        return """
            <form class="row" method="post" action="/users/\(user.id)/role"\(confirm)>\(context.csrfField)
            <select name="role" aria-label="Role of \(user.username)">\(options)</select>
            <button class="secondary" type="submit">Change</button></form>
            """
    }

    private var status: HTML {
        if user.disabled {
            return """
                <span class="badge failed">Disabled</span>
                <form class="inline" method="post" action="/users/\(user.id)/disabled">\(context.csrfField)
                <input type="hidden" name="disabled" value="false">
                <button class="secondary" type="submit">Enable</button></form>
                """
        }
        let whom = isSelf ? "your own account" : user.username
        return """
            Active
            <form class="inline" method="post" action="/users/\(user.id)/disabled" \
            data-confirm="Disable \(whom)? \(signOut)">\(context.csrfField)
            <input type="hidden" name="disabled" value="true">
            <button class="secondary" type="submit">Disable</button></form>
            """
    }

    private var password: HTML {
        if isSelf { return "<a href=\"/account\">Change yours on your account page</a>" }
        let field = FormField(
            label: "New password", name: "password", type: "password", autocomplete: "new-password", error: problem,
            id: "password-\(user.id)")
        return """
            <form class="row" method="post" action="/users/\(user.id)/password">\(context.csrfField)
            \(field.html)<button class="secondary" type="submit">Reset</button></form>
            """
    }

    private var delete: HTML {
        if isSelf { return .empty }
        return """
            <form class="inline" method="post" action="/users/\(user.id)/delete" \
            data-confirm="Delete \(user.username)? This cannot be undone.">\(context.csrfField)
            <button class="danger" type="submit">Delete</button></form>
            """
    }
}

/// What the new-user form held when it was refused: the values to show again (never the
/// password) and the message for each refused field.
private struct NewUser {
    var username = ""
    var role = Role.viewer.rawValue
    var errors: [String: String] = [:]
}

/// What a change did to a user, carried to the list in its query string.
private struct UserNotice {
    /// The kinds of change, as named in the query string.
    enum Change: String {
        case created
        case madeAdmin = "admin"
        case madeViewer = "viewer"
        case disabled, enabled
        case passwordReset = "password"
        case deleted
    }

    /// What was done.
    let change: Change
    /// To whom.
    let username: String

    init(change: Change, username: String) {
        self.change = change
        self.username = username
    }

    /// The notice a list request carries; nil without one, or with a name no user could have,
    /// so a crafted link cannot put arbitrary words on the page.
    init?(_ query: QueryParameters) {
        guard let change = query["done"].flatMap(Change.init(rawValue:)), let name = query["user"],
            let username = try? Username.normalize(name)
        else { return nil }
        self.init(change: change, username: username)
    }

    /// The list's address with this notice.
    var location: String {
        "/users?done=\(change.rawValue)&user=\(PercentEncoding.encodeComponent(username))"
    }

    /// The sentence shown.
    var text: String {
        switch change {
        case .created: "\(username) was created."
        case .madeAdmin: "\(username) is now an admin."
        case .madeViewer: "\(username) is now a viewer."
        case .disabled: "\(username) was disabled and signed out everywhere."
        case .enabled: "\(username) was enabled and may sign in again."
        case .passwordReset: "The password of \(username) was reset; their sessions have ended."
        case .deleted: "\(username) was deleted."
        }
    }
}
