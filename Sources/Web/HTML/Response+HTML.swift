import HTTP

extension Response {
    /// An HTML page.
    public static func html(_ page: HTML, status: Int = 200) -> Response {
        text(page.text, status: status, contentType: "text/html; charset=utf-8")
    }

    /// A `303 See Other` to `location`, the answer to a form that was handled.
    public static func redirect(to location: String) -> Response {
        var response = Response(status: 303)
        response.headers.set("Location", location)
        return response
    }
}
