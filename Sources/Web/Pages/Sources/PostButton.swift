/// An action of a page as a form with one button that posts to one address: it works without
/// JavaScript and carries the CSRF token; the script asks `confirm` first when given.
enum PostButton {
    /// The form; `style` is a button class (`secondary`, `danger`), `fields` hidden inputs.
    static func render(
        _ label: String, action: String, context: PageContext, style: String? = nil, confirm: String? = nil,
        fields: [(name: String, value: String)] = []
    ) -> HTML {
        let confirmation: HTML = confirm.map { " data-confirm=\"\($0)\"" } ?? .empty
        let buttonClass: HTML = style.map { " class=\"\($0)\"" } ?? .empty
        let hidden = fields.map { "<input type=\"hidden\" name=\"\($0.name)\" value=\"\($0.value)\">" as HTML }
        return """
            <form class="inline" method="post" action="\(action)"\(confirmation)>\(context.csrfField)\(hidden)\
            <button\(buttonClass) type="submit">\(label)</button></form>
            """
    }
}
