import Foundation

/// Reads RFC 8288 `Link` header fields: `<uri>; rel="next"; title="…", <uri>; rel=prev`.
enum LinkHeader {
    /// The target of the first link whose relation types include `relation` (compared without
    /// regard to case), resolved against `base`; nil when there is none or it is not a URL.
    ///
    /// A field may list several links, and several fields arrive joined by commas, so commas inside
    /// `<…>` or quoted parameter values do not separate links.
    static func target(of relation: String, in field: String, relativeTo base: URL) -> URL? {
        var scanner = Substring(field)
        while let link = nextLink(&scanner) {
            let relations = link.parameters["rel"]?.split(separator: " ").map { $0.lowercased() } ?? []
            if relations.contains(relation.lowercased()) {
                return URL(string: link.target, relativeTo: base)?.absoluteURL
            }
        }
        return nil
    }

    /// Reads one `<target>; parameters` link from the front of `text`; nil once nothing is left or
    /// the text is malformed.
    private static func nextLink(_ text: inout Substring) -> (target: String, parameters: [String: String])? {
        text = text.drop { $0 == " " || $0 == "\t" || $0 == "," }
        guard text.first == "<", let close = text.firstIndex(of: ">") else { return nil }
        let target = String(text[text.index(after: text.startIndex)..<close])
        text = text[text.index(after: close)...]
        var parameters: [String: String] = [:]
        while true {
            text = text.drop { $0 == " " || $0 == "\t" }
            guard text.first == ";" else { break }
            text = text.dropFirst().drop { $0 == " " || $0 == "\t" }
            let name = text.prefix { $0 != "=" && $0 != ";" && $0 != "," && $0 != " " }
            text = text[name.endIndex...].drop { $0 == " " || $0 == "\t" }
            var value = ""
            if text.first == "=" {
                text = text.dropFirst().drop { $0 == " " || $0 == "\t" }
                value = readValue(&text)
            }
            // RFC 8288 §3.3: only the first occurrence of `rel` counts.
            let key = name.lowercased()
            if parameters[key] == nil { parameters[key] = value }
        }
        return (target, parameters)
    }

    /// Reads a token or a quoted string (with backslash escapes) from the front of `text`.
    private static func readValue(_ text: inout Substring) -> String {
        guard text.first == "\"" else {
            let token = text.prefix { $0 != ";" && $0 != "," && $0 != " " && $0 != "\t" }
            text = text[token.endIndex...]
            return String(token)
        }
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex, text[index] != "\"" {
            if text[index] == "\\", text.index(after: index) < text.endIndex { index = text.index(after: index) }
            value.append(text[index])
            index = text.index(after: index)
        }
        text = index < text.endIndex ? text[text.index(after: index)...] : text[index...]
        return value
    }
}
