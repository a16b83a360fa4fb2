/// The rectangle inside a chart's margins where the marks go, in drawing units.
struct PlotFrame {
    /// The left edge.
    var left: Double
    /// The top edge.
    var top: Double
    /// The right edge.
    var right: Double
    /// The bottom edge.
    var bottom: Double

    /// The distance from the left edge to the right.
    var width: Double { right - left }

    /// The distance from the top edge to the bottom.
    var height: Double { bottom - top }
}

extension SVGCanvas {
    /// The width of the widest of `labels` at the canvas's font size.
    func widest(_ labels: [String], size: Double? = nil) -> Double {
        labels.map { TextMetrics.width(of: $0, fontSize: size ?? fontSize) }.max() ?? 0
    }

    /// Draws a gridline across `frame` at each tick of a vertical value axis, labelled on the left.
    mutating func horizontalGrid(_ scale: LinearScale, in frame: PlotFrame) {
        beginGroup("chart-grid")
        for (tick, label) in zip(scale.ticks, scale.labels) {
            let y = frame.bottom - scale.fraction(of: tick) * frame.height
            line(x1: frame.left, y1: y, x2: frame.right, y2: y, className: "chart-gridline", stroke: ChartStyle.grid)
            text(
                label, x: frame.left - fontSize * 0.5, y: y + fontSize * 0.35, anchor: .end,
                className: "chart-tick-label")
        }
        endGroup()
    }

    /// Draws a gridline down `frame` at each tick of a horizontal value axis, labelled below it;
    /// when the labels would touch, only every second (or third…) tick is labelled.
    mutating func verticalGrid(_ scale: LinearScale, in frame: PlotFrame) {
        let labels = scale.labels
        let spacing = frame.width / Double(scale.ticks.count - 1)
        var every = 1
        while Double(every) * spacing < widest(labels) + fontSize * 0.5, every < labels.count { every += 1 }
        beginGroup("chart-grid")
        for (index, (tick, label)) in zip(scale.ticks, labels).enumerated() {
            let x = frame.left + scale.fraction(of: tick) * frame.width
            line(x1: x, y1: frame.top, x2: x, y2: frame.bottom, className: "chart-gridline", stroke: ChartStyle.grid)
            if index % every == 0 {
                text(label, x: x, y: frame.bottom + fontSize * 1.4, anchor: .middle, className: "chart-tick-label")
            }
        }
        endGroup()
    }
}
