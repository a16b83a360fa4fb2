/// Text made safe to place in HTML or SVG, as element content or a quoted attribute value.
public enum Markup {
    /// Escapes `&`, `<`, `>`, `"` and `'`, so user data can never open a tag or leave an attribute.
    ///
    /// Control characters other than tab, line feed and carriage return become U+FFFD: XML forbids
    /// them, and an SVG document holding one would not parse at all.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
