extension Charts {
    /// Draws a KPI tile: the label, the value in compact form, and its change since `previous`.
    ///
    /// The change reads `+12.5% vs previous period` beside an arrow pointing up, or `−3.1%` beside
    /// one pointing down, so the direction shows in shape and sign as well as in colour (blue up,
    /// vermillion down; neither is taken to be good or bad). From a previous value of zero the change
    /// is shown as a difference, since no percentage exists. The exact value is the value's tooltip.
    /// A `value` that is nil or not finite shows the empty state under the label.
    public static func number(
        label: String, value: Double?, previous: Double? = nil, width: Int = 320, height: Int = 160
    ) -> String {
        var canvas = SVGCanvas(width: width, height: height)
        let fontSize = canvas.fontSize
        let heading = TextMetrics.truncate(label, toWidth: canvas.width - 2 * fontSize, fontSize: fontSize * 1.1)
        guard let value, value.isFinite else {
            return SVGCanvas.empty(
                kind: "number-tile", title: label, description: "\(label): no data yet.", width: width, height: height,
                heading: heading)
        }

        let change = previous.flatMap { Change(from: $0, to: value) }
        let shown = NumberFormat.compact(value)
        // Bold figures run about a tenth wider than the estimate for regular text.
        let valueSize = min(
            fontSize * 3.5, canvas.height * 0.35,
            (canvas.width - 2 * fontSize) / TextMetrics.width(of: shown, fontSize: 1.1))
        let labelY = canvas.height * 0.22
        let valueY = labelY + valueSize * 1.15
        canvas.text(
            heading, x: fontSize, y: labelY, className: "chart-kpi-label", size: fontSize * 1.1,
            title: heading == label ? nil : label)
        canvas.text(
            shown, x: fontSize, y: valueY, className: "chart-mark chart-kpi-value",
            size: valueSize, fill: ChartStyle.text, bold: true, title: "\(label): \(NumberFormat.grouped(value))")
        if let change {
            let y = valueY + fontSize * 2
            canvas.add(
                "path",
                [
                    "class": "chart-change-symbol", "d": change.symbol(x: fontSize, baseline: y, size: fontSize),
                    "fill": change.color,
                ])
            let text = TextMetrics.truncate(
                change.text + " vs previous period", toWidth: canvas.width - fontSize * 3.2, fontSize: fontSize)
            canvas.text(
                text, x: fontSize * 2.2, y: y, className: "chart-change \(change.className)", fill: change.color)
        }
        var description = "\(label): \(NumberFormat.grouped(value))"
        if let change, let previous {
            description += ", \(change.words) \(NumberFormat.grouped(previous)) in the previous period"
        }
        return canvas.document(kind: "number-tile", title: label, description: description + ".")
    }
}

/// How a KPI moved from the previous period.
private struct Change {
    enum Direction {
        case up
        case down
        case flat
    }

    let direction: Direction
    /// The change as shown: `+12.5%`, `−3.1%`, `0.0%`, or from a previous value of zero `+1.2k` or
    /// `No change`.
    let text: String
    /// The change as a description says it: "up 12.5% from", "unchanged from".
    let words: String

    /// The change from `previous` to `value`; nil when `previous` is not finite.
    init?(from previous: Double, to value: Double) {
        guard previous.isFinite else { return nil }
        if previous == 0 {
            direction = value > 0 ? .up : value < 0 ? .down : .flat
            text =
                value == 0 ? "No change" : value > 0 ? "+" + NumberFormat.compact(value) : NumberFormat.compact(value)
        } else {
            let fraction = (value - previous) / abs(previous)
            text = NumberFormat.percent(fraction, signed: true)
            // Judged on the rounded text, so a change too small to show is no change rather than an
            // arrow beside "0.0%".
            direction = text.hasPrefix("+") ? .up : text.hasPrefix(NumberFormat.minus) ? .down : .flat
        }
        let magnitude = text.hasPrefix("+") || text.hasPrefix(NumberFormat.minus) ? String(text.dropFirst()) : text
        switch direction {
        case .up: words = "up \(magnitude) from"
        case .down: words = "down \(magnitude) from"
        case .flat: words = "unchanged from"
        }
    }

    var color: String {
        switch direction {
        case .up: return ChartStyle.rise
        case .down: return ChartStyle.fall
        case .flat: return ChartStyle.mutedText
        }
    }

    var className: String {
        switch direction {
        case .up: return "chart-change-up"
        case .down: return "chart-change-down"
        case .flat: return "chart-change-flat"
        }
    }

    /// An arrow pointing up or down, or a bar for no change, `size` wide, sitting on `baseline`.
    func symbol(x: Double, baseline: Double, size: Double) -> String {
        let left = NumberFormat.svg(x)
        let right = NumberFormat.svg(x + size * 0.9)
        let middle = NumberFormat.svg(x + size * 0.45)
        let top = NumberFormat.svg(baseline - size * 0.8)
        let bottom = NumberFormat.svg(baseline)
        switch direction {
        case .up:
            return "M\(left) \(bottom) L\(middle) \(top) L\(right) \(bottom) Z"
        case .down:
            return "M\(left) \(top) L\(right) \(top) L\(middle) \(bottom) Z"
        case .flat:
            let upper = NumberFormat.svg(baseline - size * 0.5)
            let lower = NumberFormat.svg(baseline - size * 0.3)
            return "M\(left) \(upper) L\(right) \(upper) L\(right) \(lower) L\(left) \(lower) Z"
        }
    }
}
