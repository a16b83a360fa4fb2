/// An SVG drawing under construction: elements in order, every attribute value and text escaped.
///
/// Drawings carry no `style` attribute and no script, because the pages' Content-Security-Policy
/// forbids both: colours and sizes are presentation attributes, and CSS hooks are class names.
struct SVGCanvas {
    /// Where text sits relative to its `x`.
    enum Anchor: String {
        case start
        case middle
        case end
    }

    /// The drawing's width in its own units, which are pixels when it is shown at that width.
    let width: Double
    /// The drawing's height; a chart may grow it to fit every label.
    var height: Double
    /// The size of ordinary text, in drawing units.
    let fontSize: Double
    /// The markup between the `<desc>` and the closing tag.
    private(set) var body = ""

    /// The sizes a caller may ask for, so that a mistaken size cannot make a drawing unreadable.
    private static let widths = 200...2000
    private static let heights = 100...2000

    /// Starts a drawing of the given size, kept within 200–2000 by 100–2000 units.
    init(width: Int, height: Int) {
        self.width = Double(min(max(width, Self.widths.lowerBound), Self.widths.upperBound))
        self.height = Double(min(max(height, Self.heights.lowerBound), Self.heights.upperBound))
        fontSize = ChartStyle.fontSize(forWidth: self.width)
    }

    /// Adds an element, leaving out any attribute whose value is empty.
    ///
    /// With `title`, the element gets a `<title>` child, which browsers show as its tooltip.
    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, title: String? = nil) {
        body += "<" + name
        for (key, value) in attributes where !value.isEmpty {
            body += " \(key)=\"\(Markup.escape(value))\""
        }
        if let title {
            body += "><title>\(Markup.escape(title))</title></\(name)>"
        } else {
            body += "/>"
        }
    }

    /// Adds a line of text whose baseline is at `y`.
    mutating func text(
        _ content: String, x: Double, y: Double, anchor: Anchor = .start, className: String,
        size: Double? = nil, fill: String = ChartStyle.mutedText, bold: Bool = false, title: String? = nil
    ) {
        body += "<text"
        let attributes: KeyValuePairs<String, String> = [
            "class": className, "x": NumberFormat.svg(x), "y": NumberFormat.svg(y),
            "text-anchor": anchor == .start ? "" : anchor.rawValue, "font-size": size.map(NumberFormat.svg) ?? "",
            "font-weight": bold ? "bold" : "", "fill": fill,
        ]
        for (key, value) in attributes where !value.isEmpty {
            body += " \(key)=\"\(Markup.escape(value))\""
        }
        body += ">"
        if let title { body += "<title>\(Markup.escape(title))</title>" }
        body += Markup.escape(content) + "</text>"
    }

    /// Opens a group of elements with the given class; `endGroup()` closes it.
    mutating func beginGroup(_ className: String) {
        body += "<g class=\"\(Markup.escape(className))\">"
    }

    /// Closes the innermost open group.
    mutating func endGroup() {
        body += "</g>"
    }

    /// Draws a horizontal line from `x1` to `x2` at `y`, or a vertical one.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, className: String, stroke: String) {
        add(
            "line",
            [
                "class": className, "x1": NumberFormat.svg(x1), "y1": NumberFormat.svg(y1),
                "x2": NumberFormat.svg(x2), "y2": NumberFormat.svg(y2), "stroke": stroke,
            ])
    }

    /// The finished SVG document.
    ///
    /// It scales to the width of its container (`width="100%"` with a `viewBox`) and is announced as
    /// one image, named by its `<title>` and described by its `<desc>`. Their ids derive from the
    /// drawing itself, so two different charts on one page never share them.
    func document(kind: String, title: String, description: String) -> String {
        let id = "chart-" + Self.fingerprint(kind, title, description, body)
        let viewBox = "0 0 \(NumberFormat.svg(width)) \(NumberFormat.svg(height))"
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart \(kind)\" viewBox=\"\(viewBox)\""
            + " width=\"100%\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\""
            + " font-family=\"\(ChartStyle.fontFamily)\" font-size=\"\(NumberFormat.svg(fontSize))\">"
            + "<title id=\"\(id)-title\">\(Markup.escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(Markup.escape(description))</desc>"
            + body + "</svg>"
    }

    /// The same frame with a "No data yet" message in the middle, for a chart with nothing to draw;
    /// a KPI tile keeps its `heading` above the message.
    static func empty(
        kind: String, title: String, description: String, width: Int, height: Int, heading: String? = nil
    ) -> String {
        var canvas = SVGCanvas(width: width, height: height)
        let fontSize = canvas.fontSize
        canvas.add(
            "rect",
            [
                "class": "chart-empty", "x": "0.5", "y": "0.5", "width": NumberFormat.svg(canvas.width - 1),
                "height": NumberFormat.svg(canvas.height - 1), "rx": NumberFormat.svg(fontSize * 0.5),
                "fill": ChartStyle.emptyFill, "stroke": ChartStyle.grid,
            ])
        if let heading {
            canvas.text(
                heading, x: fontSize, y: canvas.height * 0.22, className: "chart-kpi-label", size: fontSize * 1.1,
                title: heading == title ? nil : title)
        }
        canvas.text(
            Charts.emptyMessage, x: canvas.width / 2, y: canvas.height / 2 + fontSize * 0.35, anchor: .middle,
            className: "chart-empty-message")
        return canvas.document(kind: kind, title: title, description: description)
    }

    /// FNV-1a over the parts, as sixteen hex digits.
    private static func fingerprint(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
