import Foundation
import Testing

@testable import Web

/// What every SVG chart must be, whatever it shows.
private func expectAccessibleSVG(_ svg: String, title: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(svg.hasPrefix("<svg "), sourceLocation: sourceLocation)
    #expect(svg.contains(#"role="img""#), sourceLocation: sourceLocation)
    #expect(svg.contains(#"width="100%""#), sourceLocation: sourceLocation)
    #expect(svg.contains("viewBox=\"0 0 "), sourceLocation: sourceLocation)
    #expect(!svg.contains("style="), sourceLocation: sourceLocation)
    #expect(!svg.lowercased().contains("<script"), sourceLocation: sourceLocation)
    guard let parsed = parseMarkup(svg) else {
        Issue.record("not well-formed XML", sourceLocation: sourceLocation)
        return
    }
    let root = parsed[0]
    let labelledBy = (root.attributes["aria-labelledby"] ?? "").split(separator: " ").map(String.init)
    let titleElement = parsed.first { $0.name == "title" && $0.attributes["id"] == labelledBy.first }
    let descElement = parsed.first { $0.name == "desc" && $0.attributes["id"] == labelledBy.last }
    #expect(labelledBy.count == 2, sourceLocation: sourceLocation)
    let marks = parsed.filter { $0.hasClass("chart-mark") }
    #expect(marks.allSatisfy { $0.title?.isEmpty == false }, "every mark has a tooltip", sourceLocation: sourceLocation)
    #expect(titleElement?.text == title, sourceLocation: sourceLocation)
    #expect(descElement?.text.isEmpty == false, sourceLocation: sourceLocation)
}

private func description(_ svg: String) -> String? {
    parseMarkup(svg)?.first { $0.name == "desc" }?.text
}

/// The y of each horizontal gridline, lowest tick first.
private func gridlineYs(_ svg: String) -> [Double] {
    elements(svg, withClass: "chart-gridline").map { $0.number("y1") }
}

/// The x of each vertical gridline, lowest tick first.
private func gridlineXs(_ svg: String) -> [Double] {
    elements(svg, withClass: "chart-gridline").map { $0.number("x1") }
}

private let hostile = "<script>alert(1)</script>"

@Suite("Line charts") struct LineChartTests {
    private let january: [(Date, Double)] = (1...31).map { day in
        (utc("2026-01-\(day < 10 ? "0" : "")\(day)T00:00:00Z"), day == 12 ? 12_345 : Double(day * 100))
    }

    @Test func describesTheSeriesAndTitlesEveryPoint() {
        let svg = Charts.line(title: "Revenue", series: [ChartSeries(name: "Revenue", points: january)], bucket: .day)
        expectAccessibleSVG(svg, title: "Revenue")
        let expected =
            "Line chart of Revenue by day from Jan 1 to Jan 31 2026; highest 12,345 on Jan 12, lowest 100 on Jan 1."
        #expect(description(svg) == expected)
        let points = elements(svg, withClass: "chart-point")
        #expect(points.count == 31)
        #expect(points[11].title == "Revenue, Jan 12 2026: 12,345")
        #expect(points[0].title == "Revenue, Jan 1 2026: 100")
        #expect(elements(svg, withClass: "chart-legend").isEmpty)
    }

    @Test func pointsSitWhereTheAxisSaysTheirValuesAre() {
        let svg = Charts.line(title: "Revenue", series: [ChartSeries(name: "Revenue", points: january)], bucket: .day)
        let ticks = LinearScale(covering: january.map(\.1), includingZero: false).ticks
        let ys = gridlineYs(svg)
        #expect(ticks == [0, 2_500, 5_000, 7_500, 10_000, 12_500])
        #expect(ys.count == ticks.count)
        let points = elements(svg, withClass: "chart-point")
        for (point, value) in zip(points, january.map(\.1)) {
            let expected = ys[0] + (ys[ys.count - 1] - ys[0]) * value / ticks[ticks.count - 1]
            #expect(abs(point.number("cy") - expected) < 0.02)
        }
        let xs = points.map { $0.number("cx") }
        #expect(zip(xs, xs.dropFirst()).allSatisfy { abs(($1 - $0) - (xs[1] - xs[0])) < 0.02 })
    }

    @Test func severalSeriesGetALegendAndTheirOwnColours() {
        let web = ChartSeries(name: "Web", points: Array(january.prefix(10)))
        let shop = ChartSeries(name: "Shop", points: january.prefix(10).map { ($0.0, $0.1 / 2) })
        let svg = Charts.line(title: "Orders", series: [web, shop], bucket: .day)
        expectAccessibleSVG(svg, title: "Orders")
        let legend = elements(svg, withClass: "chart-legend-label").map(\.text)
        #expect(legend == ["Web", "Shop"])
        let strokes = elements(svg, withClass: "chart-line").map { $0.attributes["stroke"] }
        #expect(strokes == ["#0072B2", "#E69F00"])
        #expect(description(svg)?.contains(", 2 series; Web highest 1,000 on Jan 10, lowest 100 on Jan 1;") == true)
        #expect(elements(svg, withClass: "chart-point").count == 20)
    }

    @Test func seriesPastThePaletteRepeatColoursWithDashes() {
        let series = (1...9).map { number in
            ChartSeries(name: "S\(number)", points: january.map { ($0.0, $0.1 * Double(number)) })
        }
        let svg = Charts.line(title: "Many", series: series, bucket: .day)
        let lines = elements(svg, withClass: "chart-line")
        #expect(lines.count == 9)
        #expect(lines[8].attributes["stroke"] == lines[0].attributes["stroke"])
        #expect(lines[0].attributes["stroke-dasharray"] == nil)
        #expect(lines[8].attributes["stroke-dasharray"] != nil)
        #expect(elements(svg, withClass: "chart-legend-label").count == 9)
    }

    @Test func aMissingBucketBreaksTheLine() {
        let points = january.enumerated().filter { $0.offset != 15 }.map(\.element)
        let svg = Charts.line(title: "Revenue", series: [ChartSeries(name: "Revenue", points: points)], bucket: .day)
        let paths = elements(svg, withClass: "chart-line")
        #expect(paths.count == 2)
        #expect(elements(svg, withClass: "chart-point").count == 30)
    }

    @Test func areaChartsStartAtZero() {
        let points = january.map { ($0.0, $0.1 + 50_000) }
        let svg = Charts.line(
            title: "Revenue", series: [ChartSeries(name: "Revenue", points: points)], bucket: .day, area: true)
        #expect(elements(svg, withClass: "chart-area").count == 1)
        let labels = elements(svg, withClass: "chart-tick-label").map(\.text)
        #expect(labels.first == "0")
        let plain = Charts.line(title: "Revenue", series: [ChartSeries(name: "Revenue", points: points)], bucket: .day)
        #expect(elements(plain, withClass: "chart-tick-label").first?.text != "0")
    }

    @Test func aSinglePointIsDrawnAndDescribed() {
        let svg = Charts.line(
            title: "Signups", series: [ChartSeries(name: "Signups", points: [(utc("2026-03-01T00:00:00Z"), 42)])],
            bucket: .month)
        expectAccessibleSVG(svg, title: "Signups")
        #expect(elements(svg, withClass: "chart-point").map(\.title) == ["Signups, Mar 2026: 42"])
        #expect(description(svg) == "Line chart of Signups by month for Mar 2026; highest 42 in Mar 2026.")
    }

    @Test func nothingToDrawShowsTheEmptyState() {
        let nan = ChartSeries(name: "Revenue", points: [(utc("2026-01-01T00:00:00Z"), .nan)])
        for series in [[], [ChartSeries(name: "Revenue", points: [])], [nan]] {
            let svg = Charts.line(title: "Revenue", series: series, bucket: .day)
            expectAccessibleSVG(svg, title: "Revenue")
            #expect(elements(svg, withClass: "chart-empty-message").map(\.text) == ["No data yet"])
            #expect(description(svg) == "Line chart of Revenue: no data yet.")
            #expect(elements(svg, withClass: "chart-point").isEmpty)
        }
    }

    @Test func hostileNamesAreEscaped() {
        let svg = Charts.line(
            title: hostile, series: [ChartSeries(name: hostile, points: january), ChartSeries(name: "x", points: [])],
            bucket: .day)
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        expectAccessibleSVG(svg, title: hostile)
    }

    @Test func aYearOfDaysStaysReadableOnAPhone() {
        let points = (0..<365).map { (utc("2025-03-01T00:00:00Z").addingTimeInterval(Double($0) * 86_400), Double($0)) }
        let svg = Charts.line(
            title: "Visits", series: [ChartSeries(name: "Visits", points: points)], bucket: .day, width: 320,
            height: 240)
        expectAccessibleSVG(svg, title: "Visits")
        let labels = elements(svg, withClass: "chart-tick-label").filter { $0.attributes["text-anchor"] == "middle" }
        #expect((2...8).contains(labels.count))
        #expect(labels.contains { $0.text == "Jan 1 2026" || $0.text.hasSuffix(" 2026") })
        let xs = labels.map { $0.number("x") }
        for (index, pair) in zip(xs, xs.dropFirst()).enumerated() {
            let needed =
                (TextMetrics.width(of: labels[index].text, fontSize: 12)
                    + TextMetrics.width(of: labels[index + 1].text, fontSize: 12)) / 2
            #expect(pair.1 - pair.0 >= needed)
        }
        #expect(xs.allSatisfy { $0 >= 0 && $0 <= 320 })
    }
}

@Suite("Bar charts") struct BarChartTests {
    private let products: [(String, Double)] = [("Alpha", 40), ("Beta", 100), ("Gamma", 70)]

    @Test func theTallestBarReachesTheTopTick() {
        let svg = Charts.bar(title: "Sales", categories: products)
        expectAccessibleSVG(svg, title: "Sales")
        let bars = elements(svg, withClass: "chart-bar")
        let ys = gridlineYs(svg)
        #expect(elements(svg, withClass: "chart-tick-label").map(\.text) == ["0", "20", "40", "60", "80", "100"])
        #expect(bars.map(\.title) == ["Alpha: 40", "Beta: 100", "Gamma: 70"])
        #expect(abs(bars[1].number("y") - ys[ys.count - 1]) < 0.01)
        for (bar, value) in zip(bars, [40.0, 100, 70]) {
            #expect(abs(bar.number("y") + bar.number("height") - ys[0]) < 0.02)
            #expect(abs(bar.number("height") - (ys[0] - ys[ys.count - 1]) * value / 100) < 0.02)
        }
        #expect(elements(svg, withClass: "chart-value").map(\.text) == ["40", "100", "70"])
        #expect(elements(svg, withClass: "chart-category").map(\.text) == ["Alpha", "Beta", "Gamma"])
        #expect(description(svg) == "Bar chart of Sales with 3 categories. Alpha: 40; Beta: 100; Gamma: 70.")
    }

    @Test func negativeBarsHangBelowZero() {
        let svg = Charts.bar(title: "Profit", categories: [("Q1", 120), ("Q2", -30), ("Q3", 60)])
        let bars = elements(svg, withClass: "chart-bar")
        let ticks = elements(svg, withClass: "chart-tick-label").map(\.text)
        #expect(ticks.first == "\u{2212}50")
        let zeroY = gridlineYs(svg)[ticks.firstIndex(of: "0")!]
        #expect(abs(bars[1].number("y") - zeroY) < 0.01)
        #expect(abs(bars[0].number("y") + bars[0].number("height") - zeroY) < 0.01)
        #expect(elements(svg, withClass: "chart-value").map(\.text) == ["120", "\u{2212}30", "60"])
    }

    @Test func allNegativeBarsHaveZeroAtTheTop() {
        let svg = Charts.bar(title: "Loss", categories: [("A", -80), ("B", -10)])
        let ticks = elements(svg, withClass: "chart-tick-label").map(\.text)
        #expect(ticks.last == "0")
        #expect(ticks.first == "\u{2212}80")
    }

    @Test func longLabelsTurnTheBarsOnTheirSide() {
        let categories: [(String, Double)] = [
            ("Enterprise customers in Europe", 1_234_567), ("Small businesses in North America", 250_000),
            ("Public sector", 990_000),
        ]
        let svg = Charts.bar(title: "Revenue by segment", categories: categories)
        expectAccessibleSVG(svg, title: "Revenue by segment")
        let bars = elements(svg, withClass: "chart-bar")
        #expect(Set(bars.map { $0.number("height") }).count == 1)
        let xs = gridlineXs(svg)
        #expect(abs(bars[0].number("x") - xs[0]) < 0.01)
        let top = xs[xs.count - 1]
        let expectedEnd = xs[0] + (top - xs[0]) * 1_234_567 / 1_250_000
        #expect(abs(bars[0].number("x") + bars[0].number("width") - expectedEnd) < 0.02)
        #expect(bars[0].title == "Enterprise customers in Europe: 1,234,567")
        #expect(elements(svg, withClass: "chart-value").map(\.text) == ["1.2M", "250k", "990k"])
        let labels = elements(svg, withClass: "chart-category")
        #expect(labels.allSatisfy { $0.attributes["text-anchor"] == "end" })
        #expect(labels.filter { $0.text.hasSuffix("\u{2026}") }.allSatisfy { $0.title != nil })
    }

    @Test func manyCategoriesMakeATallerDrawing() {
        let categories = (1...40).map { ("Customer number \($0)", Double($0)) }
        let svg = Charts.bar(title: "Top customers", categories: categories)
        let viewBox = parseMarkup(svg)?.first?.attributes["viewBox"]?.split(separator: " ").compactMap { Double($0) }
        #expect((viewBox?[3] ?? 0) > 300)
        #expect(elements(svg, withClass: "chart-bar").count == 40)
        let expected =
            "Bar chart of Top customers with 40 categories. "
            + "Highest Customer number 40: 40; lowest Customer number 1: 1."
        #expect(description(svg) == expected)
    }

    @Test func verticalBarsCanBeForcedAndShortenTheirLabels() {
        let svg = Charts.bar(
            title: "Sales", categories: [("An unusually long product name", 5), ("B", 3)], horizontal: false)
        let labels = elements(svg, withClass: "chart-category")
        #expect(labels[0].text.hasSuffix("\u{2026}"))
        #expect(labels[0].title == "An unusually long product name")
        #expect(labels[1].title == nil)
    }

    @Test func nothingToDrawShowsTheEmptyState() {
        for categories in [[], [("A", Double.nan)]] {
            let svg = Charts.bar(title: "Sales", categories: categories)
            expectAccessibleSVG(svg, title: "Sales")
            #expect(elements(svg, withClass: "chart-empty-message").map(\.text) == ["No data yet"])
            #expect(elements(svg, withClass: "chart-bar").isEmpty)
        }
    }

    @Test func hostileLabelsAreEscaped() {
        let svg = Charts.bar(title: hostile, categories: [(hostile, 1), ("\"quoted\" & 'single'", 2)])
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(svg.contains("&quot;quoted&quot; &amp; &#39;single&#39;"))
        expectAccessibleSVG(svg, title: hostile)
        #expect(elements(svg, withClass: "chart-bar").first?.title == "\(hostile): 1")
    }
}

@Suite("Pie and donut charts") struct PieChartTests {
    private let browsers: [(String, Double)] = [("Firefox", 50), ("Chrome", 30), ("Safari", 20)]

    @Test func slicesCarryTheirShare() {
        let svg = Charts.pie(title: "Browsers", slices: browsers)
        expectAccessibleSVG(svg, title: "Browsers")
        let slices = elements(svg, withClass: "chart-slice")
        #expect(slices.map(\.title) == ["Firefox: 50 (50.0%)", "Chrome: 30 (30.0%)", "Safari: 20 (20.0%)"])
        #expect(elements(svg, withClass: "chart-legend-label").map(\.text) == ["Firefox", "Chrome", "Safari"])
        #expect(elements(svg, withClass: "chart-legend-value").map(\.text) == ["50.0%", "30.0%", "20.0%"])
        #expect(Set(slices.compactMap { $0.attributes["fill"] }).count == 3)
        #expect(
            description(svg)
                == "Pie chart of Browsers, total 100: Firefox 50 (50.0%), Chrome 30 (30.0%), Safari 20 (20.0%).")
        #expect(elements(svg, withClass: "chart-total").isEmpty)
    }

    @Test func slicesStartAtTwelveAndGoClockwise() throws {
        let svg = Charts.pie(title: "Halves", slices: [("A", 1), ("B", 1)], width: 400, height: 200)
        let paths = elements(svg, withClass: "chart-slice").map { $0.attributes["d"] ?? "" }
        let numbers = paths[0].split { !"0123456789.-".contains($0) }.compactMap { Double($0) }
        // M center L top A r r 0 0 1 bottom Z
        let (cx, cy, topX, topY) = (numbers[0], numbers[1], numbers[2], numbers[3])
        #expect(abs(topX - cx) < 0.01 && topY < cy)
        let (endX, endY) = (numbers[numbers.count - 2], numbers[numbers.count - 1])
        #expect(abs(endX - cx) < 0.01 && endY > cy)
        #expect(paths[0].contains(" 0 0 1 "))
    }

    @Test func aDonutShowsTheTotalInTheMiddle() {
        let svg = Charts.pie(title: "Browsers", slices: browsers.map { ($0.0, $0.1 * 1000) }, donut: true)
        expectAccessibleSVG(svg, title: "Browsers")
        let total = elements(svg, withClass: "chart-total")
        #expect(total.map(\.text) == ["100k"])
        #expect(total.first?.title == "Total: 100,000")
        #expect(description(svg)?.hasPrefix("Donut chart of Browsers, total 100,000: Firefox 50,000 (50.0%)") == true)
        #expect(svg.contains("class=\"chart donut-chart\""))
    }

    @Test func aSingleSliceIsAWholeCircle() {
        for donut in [false, true] {
            let svg = Charts.pie(title: "All", slices: [("Only", 7)], donut: donut)
            let slices = elements(svg, withClass: "chart-slice")
            #expect(slices.map(\.title) == ["Only: 7 (100.0%)"])
            let arcs = (slices.first?.attributes["d"] ?? "").filter { $0 == "A" }.count
            #expect(arcs == (donut ? 4 : 2))
        }
    }

    @Test func smallSlicesAreGatheredIntoOther() {
        let slices = (1...12).map { ("S\($0)", Double($0)) }
        let svg = Charts.pie(title: "Many", slices: slices)
        let drawn = elements(svg, withClass: "chart-slice")
        #expect(drawn.count == 8)
        #expect(drawn.first?.title == "S12: 12 (15.4%)")
        #expect(drawn.last?.title == "Other: 15 (19.2%)")
        #expect(drawn.last?.attributes["fill"] == "#999999")
    }

    @Test func onlyPositiveValuesMakeSlices() {
        let svg = Charts.pie(title: "Mixed", slices: [("A", 3), ("B", 0), ("C", -2), ("D", 1)])
        #expect(elements(svg, withClass: "chart-slice").map(\.title) == ["A: 3 (75.0%)", "D: 1 (25.0%)"])
        let empty = Charts.pie(title: "Zeros", slices: [("A", 0)], donut: true)
        expectAccessibleSVG(empty, title: "Zeros")
        #expect(elements(empty, withClass: "chart-empty-message").map(\.text) == ["No data yet"])
        #expect(description(empty) == "Donut chart of Zeros: no data yet.")
    }

    @Test func hostileLabelsAreEscaped() {
        let svg = Charts.pie(title: hostile, slices: [(hostile, 1)], donut: true)
        #expect(!svg.contains("<script>"))
        expectAccessibleSVG(svg, title: hostile)
        #expect(elements(svg, withClass: "chart-slice").first?.title == "\(hostile): 1 (100.0%)")
    }
}

@Suite("KPI tiles") struct NumberTileTests {
    @Test func aRiseShowsAnUpArrowAndASign() {
        let svg = Charts.number(label: "Revenue", value: 12_345, previous: 10_973)
        expectAccessibleSVG(svg, title: "Revenue")
        let value = elements(svg, withClass: "chart-kpi-value")
        #expect(value.map(\.text) == ["12.3k"])
        #expect(value.first?.title == "Revenue: 12,345")
        #expect(elements(svg, withClass: "chart-kpi-label").map(\.text) == ["Revenue"])
        let change = elements(svg, withClass: "chart-change")
        #expect(change.map(\.text) == ["+12.5% vs previous period"])
        #expect(change.first?.hasClass("chart-change-up") == true)
        #expect(elements(svg, withClass: "chart-change-symbol").count == 1)
        #expect(description(svg) == "Revenue: 12,345, up 12.5% from 10,973 in the previous period.")
    }

    @Test func aFallShowsADownArrowAndATrueMinus() {
        let svg = Charts.number(label: "Orders", value: 969, previous: 1_000)
        let change = elements(svg, withClass: "chart-change")
        #expect(change.map(\.text) == ["\u{2212}3.1% vs previous period"])
        #expect(change.first?.hasClass("chart-change-down") == true)
        #expect(change.first?.attributes["fill"] == "#D55E00")
        let arrow = elements(svg, withClass: "chart-change-symbol").first?.attributes["d"] ?? ""
        let ys = arrow.split { !"0123456789.-".contains($0) }.compactMap { Double($0) }.enumerated()
            .filter { $0.offset % 2 == 1 }.map(\.element)
        // A downward arrow: two corners at the top, the point below them.
        #expect(ys.count == 3 && ys[0] == ys[1] && ys[2] > ys[0])
        #expect(description(svg) == "Orders: 969, down 3.1% from 1,000 in the previous period.")
    }

    @Test func noChangeAndChangeFromZero() {
        let flat = Charts.number(label: "Users", value: 1_000, previous: 1_000.2)
        #expect(elements(flat, withClass: "chart-change").map(\.text) == ["0.0% vs previous period"])
        #expect(elements(flat, withClass: "chart-change").first?.hasClass("chart-change-flat") == true)
        #expect(description(flat) == "Users: 1,000, unchanged from 1,000.2 in the previous period.")

        let fromZero = Charts.number(label: "Users", value: 1_200, previous: 0)
        #expect(elements(fromZero, withClass: "chart-change").map(\.text) == ["+1.2k vs previous period"])
        #expect(description(fromZero) == "Users: 1,200, up 1.2k from 0 in the previous period.")

        let alone = Charts.number(label: "Users", value: -4.5)
        #expect(elements(alone, withClass: "chart-change").isEmpty)
        #expect(elements(alone, withClass: "chart-kpi-value").map(\.text) == ["\u{2212}4.5"])
        #expect(description(alone) == "Users: \u{2212}4.5.")
    }

    @Test func noValueShowsTheEmptyStateUnderTheLabel() {
        let svg = Charts.number(label: "Revenue", value: nil, previous: 3)
        expectAccessibleSVG(svg, title: "Revenue")
        #expect(elements(svg, withClass: "chart-kpi-label").map(\.text) == ["Revenue"])
        #expect(elements(svg, withClass: "chart-empty-message").map(\.text) == ["No data yet"])
        #expect(elements(svg, withClass: "chart-kpi-value").isEmpty)
    }

    @Test func hostileLabelsAreEscaped() {
        let svg = Charts.number(label: hostile, value: 1)
        #expect(!svg.contains("<script>"))
        expectAccessibleSVG(svg, title: hostile)
    }
}

@Suite("Tables") struct TableTests {
    @Test func numbersAreFormattedAndRightAligned() {
        let html = Charts.table(
            columns: ["Product", "Revenue", "Share"],
            rows: [
                [.text("Widgets"), .number(12_345), .number(0.5, decimals: 2)],
                [.text("Gadgets"), .number(-1_234.5), .number(0.25, decimals: 2)],
            ], caption: "Top products")
        #expect(html.hasPrefix("<table class=\"chart-table\"><caption>Top products</caption>"))
        #expect(html.contains("<th scope=\"col\">Product</th><th scope=\"col\" class=\"num\">Revenue</th>"))
        #expect(html.contains("<td>Widgets</td><td class=\"num\">12,345</td><td class=\"num\">0.50</td>"))
        #expect(html.contains("<td class=\"num\">\u{2212}1,234.5</td>"))
        #expect(parseMarkup(html) != nil)
        #expect(!html.contains("style="))
        #expect(Charts.stylesheet.contains(".chart-table .num { text-align: right;"))
    }

    @Test func rowsAreFittedToTheColumns() {
        let html = Charts.table(
            columns: ["A", "B"], rows: [[.text("1")], [.text("x"), .number(2), .text("dropped")]])
        #expect(html.contains("<tr><td>1</td><td></td></tr>"))
        #expect(html.contains("<tr><td>x</td><td class=\"num\">2</td></tr>"))
        #expect(!html.contains("dropped"))
        #expect(html.contains("<th scope=\"col\" class=\"num\">B</th>"))
    }

    @Test func noRowsSayNoDataYet() {
        let html = Charts.table(columns: ["A", "B"], rows: [])
        #expect(html.contains("<tbody><tr><td class=\"chart-empty\" colspan=\"2\">No data yet</td></tr></tbody>"))
    }

    @Test func hostileTextIsEscaped() {
        let html = Charts.table(columns: [hostile], rows: [[.text(hostile)]], caption: hostile)
        #expect(!html.contains("<script>"))
        #expect(html.components(separatedBy: "&lt;script&gt;alert(1)&lt;/script&gt;").count == 4)
        #expect(parseMarkup(html) != nil)
    }
}

@Suite("Chart documents") struct ChartDocumentTests {
    @Test func extremeInputsStillMakeWellFormedCharts() {
        let far = [(utc("2016-01-01T00:00:00Z"), 1.0), (utc("2026-01-01T00:00:00Z"), 2)]
        let odd = [
            (Date(timeIntervalSince1970: .nan), 5.0), (Date(timeIntervalSince1970: 1e15), 6),
            (utc("2026-01-01T00:00:00Z"), 7),
        ]
        let charts = [
            Charts.line(title: "Far", series: [ChartSeries(name: "A", points: far)], bucket: .hour),
            Charts.line(title: "Odd", series: [ChartSeries(name: "A", points: odd)], bucket: .week, area: true),
            Charts.bar(title: "Huge", categories: [("a", 1e300), ("b", -1e300), ("c", .infinity)]),
            Charts.bar(title: "Tiny", categories: [("a", 1e-300)], width: 10, height: 10_000),
            Charts.pie(title: "Tiny", slices: [("a", 1e-300), ("b", 1e300)], donut: true),
            Charts.number(label: "Huge", value: -1e300, previous: 1e-300),
        ]
        for (svg, title) in zip(charts, ["Far", "Odd", "Huge", "Tiny", "Tiny", "Huge"]) {
            expectAccessibleSVG(svg, title: title)
        }
        #expect(elements(charts[0], withClass: "chart-point").count == 2)
        #expect(elements(charts[1], withClass: "chart-point").map(\.title) == ["A, Jan 1 2026: 7"])
    }

    @Test func differentChartsGetDifferentIds() {
        let first = Charts.bar(title: "A", categories: [("x", 1)])
        let second = Charts.bar(title: "A", categories: [("x", 2)])
        let ids = [first, second].compactMap { parseMarkup($0)?.first?.attributes["aria-labelledby"] }
        #expect(ids.count == 2 && ids[0] != ids[1])
        #expect(Charts.bar(title: "A", categories: [("x", 1)]) == first)
    }

    @Test func textStaysLegibleAtPhoneWidth() {
        let january = [(utc("2026-01-01T00:00:00Z"), 1.0), (utc("2026-01-02T00:00:00Z"), 2)]
        for width in [320, 480, 640, 960] {
            let charts = [
                Charts.line(
                    title: "A", series: ["a", "b"].map { ChartSeries(name: $0, points: january) }, bucket: .day,
                    width: width),
                Charts.bar(title: "A", categories: [("x", 1), ("a rather long category name", -2)], width: width),
                Charts.pie(title: "A", slices: [("x", 1), ("y", 1_234_567)], donut: true, width: width),
                Charts.number(label: "A", value: 1_234, previous: 1_000, width: width),
                Charts.number(label: "A", value: nil, width: width),
            ]
            for svg in charts {
                let sizes = (parseMarkup(svg) ?? []).compactMap { $0.attributes["font-size"].flatMap(Double.init) }
                #expect(!sizes.isEmpty)
                #expect(sizes.allSatisfy { $0 * 320 / Double(width) >= 11 }, "\(width): \(sizes)")
            }
        }
    }
}
