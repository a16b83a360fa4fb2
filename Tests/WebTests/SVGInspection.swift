import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An element of a chart's markup, as the tests look at it.
struct MarkupElement {
    /// The tag name.
    let name: String
    /// The attributes, unescaped.
    let attributes: [String: String]
    /// The text of a `<title>` child, if the element has one.
    let title: String?
    /// The element's own text, for `<text>` elements.
    let text: String

    /// A numeric attribute; fails the test's arithmetic loudly (NaN) when it is missing.
    func number(_ name: String) -> Double {
        attributes[name].flatMap(Double.init) ?? .nan
    }

    /// True when the class attribute lists `name`.
    func hasClass(_ name: String) -> Bool {
        (attributes["class"] ?? "").split(separator: " ").contains { $0 == name }
    }
}

/// Parses `markup` as XML and lists every element in document order; nil when it is not well formed.
func parseMarkup(_ markup: String) -> [MarkupElement]? {
    let collector = MarkupCollector()
    let parser = XMLParser(data: Data(markup.utf8))
    parser.delegate = collector
    guard parser.parse() else { return nil }
    return collector.finished
}

/// The elements of `markup` carrying the class `name`.
func elements(_ markup: String, withClass name: String) -> [MarkupElement] {
    (parseMarkup(markup) ?? []).filter { $0.hasClass(name) }
}

/// Collects elements as the parser reports them; `<title>` and text content attach to their parent.
private final class MarkupCollector: NSObject, XMLParserDelegate {
    private struct Open {
        let name: String
        let attributes: [String: String]
        var title: String?
        var text = ""
        let position: Int
    }

    private var stack: [Open] = []
    private var done: [(position: Int, element: MarkupElement)] = []
    private var count = 0

    var finished: [MarkupElement] { done.sorted { $0.position < $1.position }.map(\.element) }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(Open(name: name, attributes: attributes, position: count))
        count += 1
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let open = stack.removeLast()
        if name == "title", !stack.isEmpty {
            stack[stack.count - 1].title = open.text
            stack[stack.count - 1].text = ""
        }
        let element = MarkupElement(name: name, attributes: open.attributes, title: open.title, text: open.text)
        done.append((open.position, element))
    }
}
