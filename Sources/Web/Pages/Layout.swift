/// The frame every signed-in page shares: header, navigation, the page's own content, footer.
public enum Layout {
    /// The sections of the navigation.
    public enum Section: String, Sendable {
        case dashboards, sources, audit, users, account
    }

    /// A message shown once at the top of a page, after a form did something.
    public struct Notice: Sendable {
        /// `success` or `error`, which picks the colour and the icon.
        public var kind: String
        /// What happened, in a sentence.
        public var text: String

        /// A notice that something worked.
        public static func success(_ text: String) -> Notice { Notice(kind: "success", text: text) }
        /// A notice that something failed.
        public static func error(_ text: String) -> Notice { Notice(kind: "error", text: text) }
    }

    /// A whole page: `content` inside the site's frame, with navigation for `context`'s user.
    public static func page(
        title: String, context: PageContext, section: Section?, notice: Notice? = nil, content: HTML
    ) -> HTML {
        var links: [(Section, String, String)] = [
            (.dashboards, "/dashboards", "Dashboards"), (.sources, "/sources", "Sources"),
        ]
        if context.isAdmin {
            links += [(.audit, "/audit", "Audit log"), (.users, "/users", "Users")]
        }
        let navigation = links.map { item -> HTML in
            let current: HTML = item.0 == section ? " aria-current=\"page\"" : ""
            return "<a href=\"\(item.1)\"\(current)>\(item.2)</a>"
        }.joined
        let banner: HTML =
            notice.map { "<p class=\"notice notice-\($0.kind)\" role=\"status\">\($0.text)</p>" } ?? .empty
        let accountCurrent: HTML = section == .account ? " aria-current=\"page\"" : .empty
        return document(
            title: title,
            body: """
                <header class="topbar">
                  <a class="brand" href="/dashboards">
                    <img src="/static/logo.svg" alt="" width="24" height="24">Syncline</a>
                  <nav class="mainnav" aria-label="Main">\(navigation)</nav>
                  <div class="account">
                    <a href="/account"\(accountCurrent)>\(context.username)</a>
                    <span class="role">\(context.isAdmin ? "admin" : "viewer")</span>
                    <form method="post" action="/logout">\(context.csrfField)
                      <button class="link" type="submit">Sign out</button></form>
                  </div>
                </header>
                <main id="main">
                \(banner)
                \(content)
                </main>
                <footer class="footer">Syncline</footer>
                """)
    }

    /// A bare document around `body`, for the sign-in and error pages.
    public static func document(title: String, body: HTML) -> HTML {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Syncline</title>
        <link rel="stylesheet" href="/static/app.css">
        <link rel="icon" href="/static/logo.svg" type="image/svg+xml">
        <script src="/static/app.js" defer></script>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }
}
