extension Charts {
    /// Draws one bar per category, in the order given, each labelled with its value.
    ///
    /// The value axis always includes zero, so bar lengths compare truly; negative values draw
    /// below (or left of) zero. Bars stand vertically when every category label fits under its bar,
    /// and lie horizontally otherwise; `horizontal` forces one or the other. Horizontal charts grow
    /// taller than `height` when they need to, so every category keeps a readable row. Categories
    /// whose value is not finite are left out.
    public static func bar(
        title: String, categories: [(String, Double)], horizontal: Bool? = nil, width: Int = 480, height: Int = 300
    ) -> String {
        let bars = categories.filter { $0.1.isFinite }.map { (label: $0.0, value: min(max($0.1, -1e300), 1e300)) }
        guard !bars.isEmpty else {
            return SVGCanvas.empty(
                kind: "bar-chart", title: title, description: "Bar chart of \(title): no data yet.", width: width,
                height: height)
        }
        var chart = BarChart(bars: bars, canvas: SVGCanvas(width: width, height: height))
        if horizontal ?? !chart.verticalLabelsFit() {
            chart.drawHorizontal()
        } else {
            chart.drawVertical()
        }
        return chart.canvas.document(kind: "bar-chart", title: title, description: chart.description(title: title))
    }
}

/// The layout and drawing of one bar chart.
private struct BarChart {
    var canvas: SVGCanvas
    let bars: [(label: String, value: Double)]
    let scale: LinearScale
    let hasNegative: Bool

    /// Most categories a description names one by one; beyond, it names the highest and lowest.
    private static let listedInDescription = 10

    init(bars: [(label: String, value: Double)], canvas: SVGCanvas) {
        self.bars = bars
        self.canvas = canvas
        scale = LinearScale(covering: bars.map(\.value), includingZero: true)
        hasNegative = bars.contains { $0.value < 0 }
    }

    /// The frame of a vertical chart: tick labels on the left, category labels below, room above
    /// the tallest bar (and below the lowest, if any is negative) for value labels.
    private var verticalFrame: PlotFrame {
        let fontSize = canvas.fontSize
        return PlotFrame(
            left: canvas.widest(scale.labels) + fontSize * 0.8, top: fontSize * 1.6,
            right: canvas.width - fontSize * 0.5, bottom: canvas.height - fontSize * (hasNegative ? 3.3 : 2))
    }

    /// True when every category label and value label fits within its bar's width standing up.
    func verticalLabelsFit() -> Bool {
        let band = verticalFrame.width / Double(bars.count)
        let fontSize = canvas.fontSize
        return bars.allSatisfy {
            TextMetrics.width(of: $0.label, fontSize: fontSize) <= band - fontSize * 0.4
                && TextMetrics.width(of: NumberFormat.compact($0.value), fontSize: fontSize) <= band - fontSize * 0.2
        }
    }

    /// Draws the bars standing up, one per category, with the value axis on the left.
    mutating func drawVertical() {
        let fontSize = canvas.fontSize
        let frame = verticalFrame
        let band = frame.width / Double(bars.count)
        let barWidth = min(band * 0.7, fontSize * 4)
        func y(_ value: Double) -> Double { frame.bottom - scale.fraction(of: value) * frame.height }

        canvas.horizontalGrid(scale, in: frame)
        canvas.line(
            x1: frame.left, y1: y(0), x2: frame.right, y2: y(0), className: "chart-axis-line", stroke: ChartStyle.axis)
        canvas.beginGroup("chart-series")
        for (index, bar) in bars.enumerated() {
            let center = frame.left + (Double(index) + 0.5) * band
            let top = min(y(0), y(bar.value))
            canvas.add(
                "rect",
                [
                    "class": "chart-mark chart-bar", "x": NumberFormat.svg(center - barWidth / 2),
                    "y": NumberFormat.svg(top), "width": NumberFormat.svg(barWidth),
                    "height": NumberFormat.svg(abs(y(bar.value) - y(0))), "fill": ChartStyle.color(0),
                ],
                title: "\(bar.label): \(NumberFormat.grouped(bar.value))")
            let valueY = bar.value < 0 ? y(bar.value) + fontSize * 1.05 : y(bar.value) - fontSize * 0.35
            canvas.text(
                NumberFormat.compact(bar.value), x: center, y: valueY, anchor: .middle, className: "chart-value",
                fill: ChartStyle.text)
            let label = TextMetrics.truncate(bar.label, toWidth: band - fontSize * 0.4, fontSize: fontSize)
            canvas.text(
                label, x: center, y: canvas.height - fontSize * 0.6, anchor: .middle, className: "chart-category",
                title: label == bar.label ? nil : bar.label)
        }
        canvas.endGroup()
    }

    /// The frame of a horizontal chart, and the room left of it for category labels.
    ///
    /// Value labels go right of positive bars and left of negative ones, tick labels below. The
    /// drawing grows so that each category has a row at least 1.8 lines high.
    private mutating func horizontalFrame() -> (frame: PlotFrame, labelWidth: Double) {
        let fontSize = canvas.fontSize
        let labelWidth = min(canvas.widest(bars.map(\.label)), canvas.width * 0.35)
        let negativeRoom = canvas.widest(bars.filter { $0.value < 0 }.map { NumberFormat.compact($0.value) })
        let positiveRoom = canvas.widest(bars.filter { $0.value >= 0 }.map { NumberFormat.compact($0.value) })
        let lastTick = scale.labels[scale.ticks.count - 1]
        let top = fontSize * 0.5
        let bottomMargin = fontSize * 2
        let plotHeight = max(canvas.height - top - bottomMargin, Double(bars.count) * fontSize * 1.8)
        canvas.height = (top + plotHeight + bottomMargin).rounded(.up)
        let right = max(positiveRoom + fontSize * 0.6, TextMetrics.width(of: lastTick, fontSize: fontSize) / 2)
        let frame = PlotFrame(
            left: labelWidth + fontSize * 0.6 + (negativeRoom > 0 ? negativeRoom + fontSize * 0.4 : 0), top: top,
            right: canvas.width - right, bottom: top + plotHeight)
        return (frame, labelWidth)
    }

    /// Draws the bars lying down, one row per category, with the value axis along the bottom.
    mutating func drawHorizontal() {
        let fontSize = canvas.fontSize
        let (frame, labelWidth) = horizontalFrame()
        let band = frame.height / Double(bars.count)
        let thickness = min(band * 0.7, fontSize * 1.4)
        func x(_ value: Double) -> Double { frame.left + scale.fraction(of: value) * frame.width }

        canvas.verticalGrid(scale, in: frame)
        canvas.line(
            x1: x(0), y1: frame.top, x2: x(0), y2: frame.bottom, className: "chart-axis-line", stroke: ChartStyle.axis)
        canvas.beginGroup("chart-series")
        for (index, bar) in bars.enumerated() {
            let center = frame.top + (Double(index) + 0.5) * band
            canvas.add(
                "rect",
                [
                    "class": "chart-mark chart-bar", "x": NumberFormat.svg(min(x(0), x(bar.value))),
                    "y": NumberFormat.svg(center - thickness / 2), "width": NumberFormat.svg(abs(x(bar.value) - x(0))),
                    "height": NumberFormat.svg(thickness), "fill": ChartStyle.color(0),
                ],
                title: "\(bar.label): \(NumberFormat.grouped(bar.value))")
            let negative = bar.value < 0
            canvas.text(
                NumberFormat.compact(bar.value), x: x(bar.value) + fontSize * (negative ? -0.3 : 0.3),
                y: center + fontSize * 0.35, anchor: negative ? .end : .start, className: "chart-value",
                fill: ChartStyle.text)
            let label = TextMetrics.truncate(bar.label, toWidth: labelWidth, fontSize: fontSize)
            canvas.text(
                label, x: labelWidth + fontSize * 0.3, y: center + fontSize * 0.35, anchor: .end,
                className: "chart-category", title: label == bar.label ? nil : bar.label)
        }
        canvas.endGroup()
    }

    /// The text description: every category with its value when there are few, else the highest
    /// and the lowest.
    func description(title: String) -> String {
        let count = bars.count == 1 ? "1 category" : "\(bars.count) categories"
        func named(_ bar: (label: String, value: Double)) -> String {
            "\(bar.label): \(NumberFormat.grouped(bar.value))"
        }
        if bars.count <= Self.listedInDescription {
            return "Bar chart of \(title) with \(count). " + bars.map(named).joined(separator: "; ") + "."
        }
        // Of equal values, the first category is named: both searches keep the first they find.
        let highest = bars.max { $0.value < $1.value }!
        let lowest = bars.min { $0.value < $1.value }!
        return "Bar chart of \(title) with \(count). Highest \(named(highest)); lowest \(named(lowest))."
    }
}
