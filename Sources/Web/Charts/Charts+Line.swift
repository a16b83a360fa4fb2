import Foundation

extension Charts {
    /// Draws one or more series over time buckets as lines, with a point and tooltip per value.
    ///
    /// The time axis runs from the first bucket with data to the last, one band per bucket; a bucket
    /// a series has no value for breaks its line instead of being drawn as zero. With `area`, each
    /// line is filled down to zero and the value axis starts at zero; without, the axis covers just
    /// the values. More than one series gets a legend. `width` and `height` size the drawing's own
    /// units, which it scales from to fill its container.
    public static func line(
        title: String, series: [ChartSeries], bucket: TimeBucket, area: Bool = false, width: Int = 480,
        height: Int = 300
    ) -> String {
        let drawn = series.map { (name: $0.name, points: $0.plottablePoints) }.filter { !$0.points.isEmpty }
        guard !drawn.isEmpty else {
            return SVGCanvas.empty(
                kind: "line-chart", title: title, description: "Line chart of \(title): no data yet.", width: width,
                height: height)
        }
        var chart = LineChart(
            series: drawn, bucket: bucket, area: area, canvas: SVGCanvas(width: width, height: height))
        chart.draw()
        return chart.canvas.document(kind: "line-chart", title: title, description: chart.description(title: title))
    }
}

/// The layout and drawing of one line chart.
private struct LineChart {
    /// A series with its values placed in buckets.
    struct Line {
        let name: String
        /// Bucket index and value, in bucket order, one per bucket.
        let points: [(index: Int, value: Double)]
    }

    var canvas: SVGCanvas
    let lines: [Line]
    let time: TimeScale
    let scale: LinearScale
    let area: Bool

    /// Lays out `series`, none of them empty.
    init(
        series: [(name: String, points: [(date: Date, value: Double)])], bucket: TimeBucket, area: Bool,
        canvas: SVGCanvas
    ) {
        let time = TimeScale(dates: series.flatMap { $0.points.map(\.date) }, bucket: bucket)
        lines = series.map { series in
            var byIndex: [Int: Double] = [:]
            for point in series.points { byIndex[time.index(of: point.date)] = point.value }
            return Line(name: series.name, points: byIndex.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        self.time = time
        scale = LinearScale(covering: series.flatMap { $0.points.map(\.value) }, includingZero: area)
        self.area = area
        self.canvas = canvas
    }

    mutating func draw() {
        let fontSize = canvas.fontSize
        let legend = lines.count > 1 ? legendRows() : []
        let legendHeight = Double(legend.count) * fontSize * 1.6
        var frame = PlotFrame(
            left: canvas.widest(scale.labels) + fontSize * 0.8, top: fontSize * 0.8 + legendHeight,
            right: canvas.width - fontSize * 0.8, bottom: canvas.height - fontSize * 2)
        let labels = fitTimeLabels(&frame)

        canvas.horizontalGrid(scale, in: frame)
        drawTimeAxis(labels, in: frame)
        for (number, line) in lines.enumerated() {
            drawLine(line, number: number, in: frame)
        }
        drawLegend(legend, top: fontSize * 0.8)
    }

    /// Where bucket `index` and `value` fall inside `frame`.
    private func position(_ index: Int, _ value: Double, in frame: PlotFrame) -> (x: Double, y: Double) {
        let band = frame.width / Double(time.count)
        return (frame.left + (Double(index) + 0.5) * band, frame.bottom - scale.fraction(of: value) * frame.height)
    }

    /// Draws the axis line along the bottom of `frame`, with a tick and a label at each labelled bucket.
    private mutating func drawTimeAxis(_ labels: [(index: Int, text: String)], in frame: PlotFrame) {
        let fontSize = canvas.fontSize
        canvas.beginGroup("chart-axis")
        canvas.line(
            x1: frame.left, y1: frame.bottom, x2: frame.right, y2: frame.bottom, className: "chart-axis-line",
            stroke: ChartStyle.axis)
        for label in labels {
            let x = position(label.index, 0, in: frame).x
            canvas.line(
                x1: x, y1: frame.bottom, x2: x, y2: frame.bottom + fontSize * 0.3, className: "chart-tick",
                stroke: ChartStyle.axis)
            canvas.text(
                label.text, x: x, y: frame.bottom + fontSize * 1.4, anchor: .middle, className: "chart-tick-label")
        }
        canvas.endGroup()
    }

    /// Draws series `number`: a stretch of line (and area) for each run of consecutive buckets, and a
    /// point with a tooltip at every value.
    ///
    /// When points would crowd into each other they are drawn clear, still there to hover, except a
    /// point with no neighbour, which no line shows.
    private mutating func drawLine(_ line: Line, number: Int, in frame: PlotFrame) {
        let fontSize = canvas.fontSize
        let color = ChartStyle.color(number)
        let baseline = frame.bottom - scale.fraction(of: min(max(0, scale.lower), scale.upper)) * frame.height
        let radius = max(3, fontSize * 0.22)
        let crowded = frame.width / Double(time.count) < radius * 2.5
        canvas.beginGroup("chart-series")
        for run in Self.runs(of: line.points) {
            let points = run.map { position($0.index, $0.value, in: frame) }
            if points.count > 1 {
                let path = points.enumerated().map { "\($0 == 0 ? "M" : "L")\(Self.pair($1))" }.joined(separator: " ")
                if area {
                    let close =
                        "L\(Self.pair((points[points.count - 1].x, baseline))) L\(Self.pair((points[0].x, baseline))) Z"
                    canvas.add(
                        "path", ["class": "chart-area", "d": path + " " + close, "fill": color, "fill-opacity": "0.15"])
                }
                canvas.add(
                    "path",
                    [
                        "class": "chart-line", "d": path, "fill": "none", "stroke": color,
                        "stroke-width": NumberFormat.svg(fontSize * 0.15), "stroke-linejoin": "round",
                        "stroke-linecap": "round", "stroke-dasharray": ChartStyle.dashes(number, fontSize: fontSize),
                    ])
            }
            let hidden = crowded && points.count > 1 ? "0" : ""
            for (value, point) in zip(run, points) {
                let when = time.bucket.label(for: time.date(at: value.index), withYear: true)
                canvas.add(
                    "circle",
                    [
                        "class": "chart-mark chart-point", "cx": NumberFormat.svg(point.x),
                        "cy": NumberFormat.svg(point.y), "r": NumberFormat.svg(radius), "fill": color,
                        "fill-opacity": hidden, "stroke": "#ffffff", "stroke-opacity": hidden,
                    ],
                    title: "\(line.name), \(when): \(NumberFormat.grouped(value.value))")
            }
        }
        canvas.endGroup()
    }

    /// Places the time labels, widening the margins until the first and last fit inside the drawing.
    private func fitTimeLabels(_ frame: inout PlotFrame) -> [(index: Int, text: String)] {
        let fontSize = canvas.fontSize
        var labels: [(index: Int, text: String)] = []
        for _ in 0..<3 {
            let band = frame.width / Double(time.count)
            labels = time.labels(bandWidth: band, fontSize: fontSize)
            guard let first = labels.first, let last = labels.last else { break }
            let firstLeft =
                frame.left + (Double(first.index) + 0.5) * band - TextMetrics.width(of: first.text, fontSize: fontSize)
                / 2
            let lastRight =
                frame.left + (Double(last.index) + 0.5) * band + TextMetrics.width(of: last.text, fontSize: fontSize)
                / 2
            let spill = (left: max(0, 2 - firstLeft), right: max(0, lastRight - (canvas.width - 2)))
            guard spill.left > 0.5 || spill.right > 0.5 else { break }
            frame.left += spill.left
            frame.right -= spill.right
        }
        return labels
    }

    /// The legend's entries, row by row, each a series number, its (possibly shortened) name and x.
    private func legendRows() -> [[(number: Int, name: String, x: Double)]] {
        let fontSize = canvas.fontSize
        let swatch = fontSize * 1.2
        let edge = fontSize * 0.8
        var rows: [[(number: Int, name: String, x: Double)]] = [[]]
        var x = edge
        for (number, line) in lines.enumerated() {
            let name = TextMetrics.truncate(
                line.name, toWidth: canvas.width - 2 * edge - swatch - fontSize * 0.4, fontSize: fontSize)
            let entryWidth = swatch + fontSize * 0.4 + TextMetrics.width(of: name, fontSize: fontSize)
            if x > edge, x + entryWidth > canvas.width - edge {
                rows.append([])
                x = edge
            }
            rows[rows.count - 1].append((number, name, x))
            x += entryWidth + fontSize
        }
        return rows
    }

    private mutating func drawLegend(_ rows: [[(number: Int, name: String, x: Double)]], top: Double) {
        guard !rows.isEmpty else { return }
        let fontSize = canvas.fontSize
        canvas.beginGroup("chart-legend")
        for (row, entries) in rows.enumerated() {
            let y = top + Double(row) * fontSize * 1.6 + fontSize * 0.8
            for entry in entries {
                canvas.add(
                    "line",
                    [
                        "x1": NumberFormat.svg(entry.x), "y1": NumberFormat.svg(y - fontSize * 0.35),
                        "x2": NumberFormat.svg(entry.x + fontSize * 1.2), "y2": NumberFormat.svg(y - fontSize * 0.35),
                        "stroke": ChartStyle.color(entry.number), "stroke-width": NumberFormat.svg(fontSize * 0.25),
                        "stroke-dasharray": ChartStyle.dashes(entry.number, fontSize: fontSize),
                    ])
                canvas.text(entry.name, x: entry.x + fontSize * 1.6, y: y, className: "chart-legend-label")
            }
        }
        canvas.endGroup()
    }

    /// The text description: what is charted over which span, and each series' highest and lowest.
    func description(title: String) -> String {
        let bucket = time.bucket
        let first = time.date(at: 0)
        let last = time.date(at: time.count - 1)
        let spansYears = CivilTime(first).year != CivilTime(last).year
        var text = "Line chart of \(title) by \(bucket.rawValue) "
        if time.count == 1 {
            text += "for \(bucket.label(for: first, withYear: true))"
        } else {
            text +=
                "from \(bucket.label(for: first, withYear: spansYears)) to \(bucket.label(for: last, withYear: true))"
        }
        if lines.count > 1 { text += ", \(lines.count) series" }
        for line in lines {
            // Of equal values, the earliest bucket is named: both searches keep the first they find.
            guard let highest = line.points.max(by: { $0.value < $1.value }),
                let lowest = line.points.min(by: { $0.value < $1.value })
            else { continue }
            func when(_ index: Int) -> String {
                bucket.preposition + " " + bucket.label(for: time.date(at: index), withYear: spansYears)
            }
            text += lines.count > 1 ? "; \(line.name)" : ";"
            text += " highest \(NumberFormat.grouped(highest.value)) \(when(highest.index))"
            if line.points.count > 1 {
                text += ", lowest \(NumberFormat.grouped(lowest.value)) \(when(lowest.index))"
            }
        }
        return text + "."
    }

    /// Splits points into runs of consecutive buckets, each drawn as one stretch of line.
    private static func runs(of points: [(index: Int, value: Double)]) -> [[(index: Int, value: Double)]] {
        var runs: [[(index: Int, value: Double)]] = []
        for point in points {
            if let previous = runs.last?.last, previous.index == point.index - 1 {
                runs[runs.count - 1].append(point)
            } else {
                runs.append([point])
            }
        }
        return runs
    }

    private static func pair(_ point: (x: Double, y: Double)) -> String {
        NumberFormat.svg(point.x) + " " + NumberFormat.svg(point.y)
    }
}
