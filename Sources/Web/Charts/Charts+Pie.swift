import Foundation

extension Charts {
    /// Draws the parts of a whole as pie slices, clockwise from twelve o'clock, with a legend that
    /// gives each slice's share.
    ///
    /// With `donut`, the middle is cut out and shows the total. Only positive values can be slices;
    /// others are left out. Past eight slices the seven largest stay and the rest are gathered into
    /// one grey "Other" slice, so that no two slices share a colour. The drawing grows taller than
    /// `height` if the legend needs it.
    public static func pie(
        title: String, slices: [(String, Double)], donut: Bool = false, width: Int = 480, height: Int = 300
    ) -> String {
        let kind = donut ? "donut-chart" : "pie-chart"
        let positive = slices.filter { $0.1.isFinite && $0.1 > 0 }.map { (label: $0.0, value: min($0.1, 1e300)) }
        guard !positive.isEmpty else {
            return SVGCanvas.empty(
                kind: kind, title: title, description: "\(donut ? "Donut" : "Pie") chart of \(title): no data yet.",
                width: width, height: height)
        }
        var chart = PieChart(slices: positive, donut: donut, canvas: SVGCanvas(width: width, height: height))
        chart.draw()
        return chart.canvas.document(kind: kind, title: title, description: chart.description(title: title))
    }
}

/// The layout and drawing of one pie or donut chart.
private struct PieChart {
    /// A slice to draw: its label, value, share of the total and colour.
    struct Slice {
        let label: String
        let value: Double
        let share: Double
        let color: String
    }

    var canvas: SVGCanvas
    let slices: [Slice]
    let total: Double
    let donut: Bool

    /// The most slices drawn; one more than the palette has room for would repeat a colour.
    private static let maximumSlices = ChartStyle.palette.count

    init(slices: [(label: String, value: Double)], donut: Bool, canvas: SVGCanvas) {
        var kept = slices
        var other: Double?
        if slices.count > Self.maximumSlices {
            // Stable: of equal values the earlier stays.
            let ranked = slices.enumerated().sorted { ($0.element.value, $1.offset) > ($1.element.value, $0.offset) }
            kept = ranked.prefix(Self.maximumSlices - 1).map(\.element)
            other = ranked.dropFirst(Self.maximumSlices - 1).reduce(0) { $0 + $1.element.value }
        }
        let total = slices.reduce(0) { $0 + $1.value }
        var drawn = kept.enumerated().map {
            Slice(
                label: $0.element.label, value: $0.element.value, share: $0.element.value / total,
                color: ChartStyle.color($0.offset))
        }
        if let other {
            drawn.append(Slice(label: "Other", value: other, share: other / total, color: ChartStyle.other))
        }
        self.slices = drawn
        self.total = total
        self.donut = donut
        self.canvas = canvas
    }

    mutating func draw() {
        let fontSize = canvas.fontSize
        let edge = fontSize * 0.5
        let rowHeight = fontSize * 1.6
        canvas.height = max(canvas.height, (Double(slices.count) * rowHeight + 2 * edge).rounded(.up))
        let radius = min((canvas.height - 2 * edge) / 2, canvas.width * 0.25)
        let center = (x: edge + radius, y: canvas.height / 2)
        let inner = donut ? radius * 0.6 : 0

        canvas.beginGroup("chart-series")
        var start = 0.0
        for slice in slices {
            let end = start + slice.share
            canvas.add(
                "path",
                [
                    "class": "chart-mark chart-slice", "d": Self.path(center, radius, inner, from: start, to: end),
                    "fill": slice.color, "fill-rule": "evenodd", "stroke": "#ffffff",
                    "stroke-width": NumberFormat.svg(fontSize * 0.1),
                ],
                title: "\(slice.label): \(NumberFormat.grouped(slice.value)) (\(NumberFormat.percent(slice.share)))")
            start = end
        }
        canvas.endGroup()
        if donut { drawTotal(at: center, inner: inner) }
        drawLegend(left: center.x + radius + fontSize * 1.2, rowHeight: rowHeight)
    }

    /// Writes the total in the donut's hole, as large as fits.
    private mutating func drawTotal(at center: (x: Double, y: Double), inner: Double) {
        let fontSize = canvas.fontSize
        let text = NumberFormat.compact(total)
        // As large as fits the hole, up to 1.8 lines, but never below the legible base size.
        let size = max(fontSize, min(fontSize * 1.8, inner * 1.5 / max(1, TextMetrics.width(of: text, fontSize: 1.1))))
        canvas.text(
            text, x: center.x, y: center.y + size * 0.3, anchor: .middle, className: "chart-total", size: size,
            fill: ChartStyle.text, bold: true, title: "Total: \(NumberFormat.grouped(total))")
        canvas.text(
            "Total", x: center.x, y: center.y + size * 0.3 + fontSize * 1.2, anchor: .middle,
            className: "chart-total-label")
    }

    /// Lists the slices to the right of the pie: a swatch, the label and the share, right-aligned.
    private mutating func drawLegend(left: Double, rowHeight: Double) {
        let fontSize = canvas.fontSize
        let right = canvas.width - fontSize * 0.5
        let top = (canvas.height - Double(slices.count) * rowHeight) / 2
        canvas.beginGroup("chart-legend")
        for (row, slice) in slices.enumerated() {
            let y = top + (Double(row) + 0.5) * rowHeight + fontSize * 0.35
            let share = NumberFormat.percent(slice.share)
            canvas.add(
                "rect",
                [
                    "x": NumberFormat.svg(left), "y": NumberFormat.svg(y - fontSize * 0.8),
                    "width": NumberFormat.svg(fontSize * 0.9), "height": NumberFormat.svg(fontSize * 0.9),
                    "rx": NumberFormat.svg(fontSize * 0.15), "fill": slice.color,
                ])
            let labelLeft = left + fontSize * 1.3
            let room = right - labelLeft - TextMetrics.width(of: share, fontSize: fontSize) - fontSize * 0.5
            let label = TextMetrics.truncate(slice.label, toWidth: room, fontSize: fontSize)
            canvas.text(
                label, x: labelLeft, y: y, className: "chart-legend-label",
                title: label == slice.label ? nil : slice.label)
            canvas.text(share, x: right, y: y, anchor: .end, className: "chart-legend-value", fill: ChartStyle.text)
        }
        canvas.endGroup()
    }

    /// The text description: the total, then every slice with its value and share.
    func description(title: String) -> String {
        let parts = slices.map {
            "\($0.label) \(NumberFormat.grouped($0.value)) (\(NumberFormat.percent($0.share)))"
        }
        return "\(donut ? "Donut" : "Pie") chart of \(title), total \(NumberFormat.grouped(total)): "
            + parts.joined(separator: ", ") + "."
    }

    /// The outline of the ring between radii `inner` and `outer` (a wedge when `inner` is zero) from
    /// `start` to `end`, fractions of a full turn clockwise from twelve o'clock.
    private static func path(
        _ center: (x: Double, y: Double), _ outer: Double, _ inner: Double, from start: Double, to end: Double
    ) -> String {
        func point(_ radius: Double, _ turn: Double) -> String {
            let angle = (turn - 0.25) * 2 * Double.pi
            return NumberFormat.svg(center.x + radius * cos(angle)) + " "
                + NumberFormat.svg(center.y + radius * sin(angle))
        }
        func arc(_ radius: Double, to turn: Double, large: Bool, clockwise: Bool) -> String {
            let r = NumberFormat.svg(radius)
            return "A\(r) \(r) 0 \(large ? 1 : 0) \(clockwise ? 1 : 0) \(point(radius, turn))"
        }
        // A whole turn cannot be one arc, whose ends would coincide: it is two half turns, and a
        // full ring is a second circle inside the first, cut out by the even-odd fill rule.
        if end - start >= 1 - 1e-9 {
            var circle =
                "M\(point(outer, 0)) \(arc(outer, to: 0.5, large: true, clockwise: true))"
                + " \(arc(outer, to: 0, large: true, clockwise: true)) Z"
            if inner > 0 {
                circle +=
                    " M\(point(inner, 0)) \(arc(inner, to: 0.5, large: true, clockwise: true))"
                    + " \(arc(inner, to: 0, large: true, clockwise: true)) Z"
            }
            return circle
        }
        let large = end - start > 0.5
        if inner > 0 {
            return "M\(point(outer, start)) \(arc(outer, to: end, large: large, clockwise: true))"
                + " L\(point(inner, end)) \(arc(inner, to: start, large: large, clockwise: false)) Z"
        }
        let middle = NumberFormat.svg(center.x) + " " + NumberFormat.svg(center.y)
        return "M\(middle) L\(point(outer, start)) \(arc(outer, to: end, large: large, clockwise: true)) Z"
    }
}
