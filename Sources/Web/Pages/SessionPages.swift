import Foundation
import HTTP
import Identity

/// Sign-in and sign-out for browsers, and the site's front door.
struct SessionPages {
    let identity: IdentityService

    func register(on router: inout Router) {
        router.add(.get, "/", RouteMetadata(access: .anyone, summary: "The front door.", tags: ["pages"], hidden: true))
        { request in
            .redirect(to: request.principal == nil ? "/login" : "/dashboards")
        }
        router.page(.get, "/login", access: .anyone, identity: identity) { request, _ in
            if request.principal != nil { return .redirect(to: Self.destination(request.query["next"])) }
            return .html(Self.form(next: request.query["next"], username: "", problem: nil))
        }
        router.page(.post, "/login", access: .anyone, identity: identity, blocking: true, bodyLimit: 8 * 1024) {
            request, _ in
            let form = FormBody(request)
            let next = form["next"]
            let username = form["username"] ?? ""
            guard let password = form.raw("password"), !password.isEmpty, !username.isEmpty else {
                return .html(
                    Self.form(next: next, username: username, problem: "Enter your username and password."), status: 422
                )
            }
            do {
                let session = try identity.signIn(username: username, password: password, client: request.client)
                var response = Response.redirect(to: Self.destination(next))
                identity.setSessionCookies(for: session, on: &response)
                return response
            } catch let error as IdentityError {
                let problem: String
                switch error {
                case .throttled(let seconds):
                    problem = "Too many failed sign-ins. Try again in \(Self.duration(seconds))."
                case .busy:
                    problem = "The server is busy signing others in. Try again in a moment."
                default:
                    problem = "Incorrect username or password."
                }
                var response = Response.html(
                    Self.form(next: next, username: username, problem: problem), status: error.status)
                for (name, value) in error.headers { response.headers.set(name, value) }
                return response
            }
        }
        router.page(.post, "/logout", access: .viewer, identity: identity) { request, _ in
            try identity.signOut(try request.requirePrincipal(), client: request.client)
            var response = Response.redirect(to: "/login")
            identity.clearSessionCookies(on: &response)
            return response
        }
    }

    /// A local path to go to after signing in; anything else goes to the dashboards.
    static func destination(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/login")
        else {
            return "/dashboards"
        }
        return next
    }

    static func duration(_ seconds: Int) -> String {
        seconds < 90 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
    }

    static func form(next: String?, username: String, problem: String?) -> HTML {
        let error: HTML = problem.map { "<p class=\"notice notice-error\" role=\"alert\">\($0)</p>" } ?? .empty
        let nextField: HTML = next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" } ?? .empty
        return Layout.document(
            title: "Sign in",
            body: """
                <main class="login">
                  <p class="brand"><img src="/static/logo.svg" alt="" width="32" height="32">Syncline</p>
                  <div class="card">
                    <h1>Sign in</h1>
                    \(error)
                    <form class="stack" method="post" action="/login">
                      \(nextField)
                      <label>Username
                        <input name="username" autocomplete="username" required autofocus value="\(username)"></label>
                      <label>Password
                        <input name="password" type="password" autocomplete="current-password" required></label>
                      <button type="submit">Sign in</button>
                    </form>
                  </div>
                </main>
                """)
    }
}
