import Core
import Dashboards
import Foundation
import Sync

/// Draws a widget's result with the charts: numbers as tiles, series as lines, groups as bars,
/// pies, donuts or tables, records as tables.
enum WidgetView {
    /// The chart (or the reason there is none) for `data`.
    static func render(_ data: WidgetData, columns: [RecordColumn]) -> HTML {
        let widget = data.widget
        switch data.outcome {
        case .failure(let error):
            return "<p class=\"empty\">This widget cannot be drawn: \(error.message)</p>"
        case .success(let result):
            return HTML(trusted: chart(widget, result, columns: columns))
        }
    }

    private static func chart(_ widget: Widget, _ result: WidgetResult, columns: [RecordColumn]) -> String {
        let title = widget.title
        switch result {
        case .number(let number):
            return Charts.number(label: metricLabel(widget), value: number.value, previous: number.previousValue)
        case .series(let series):
            let points = series.points.compactMap { point in point.value.map { (point.time, $0) } }
            let bucket = Web.TimeBucket(rawValue: series.bucket.rawValue) ?? .day
            // Lines span the dashboard's whole width, so they are drawn wide and keep their text small.
            return Charts.line(
                title: title, series: [ChartSeries(name: metricLabel(widget), points: points)], bucket: bucket,
                area: true, width: 960, height: 300)
        case .groups(let groups):
            let pairs = groups.rows.map { ($0.label ?? "(none)", $0.value ?? 0) }
            switch widget.kind {
            case .pie, .donut:
                return Charts.pie(title: title, slices: pairs, donut: widget.kind == .donut)
            case .table:
                let decimals = groups.rows.allSatisfy { ($0.value ?? 0).rounded() == $0.value ?? 0 } ? 0 : 2
                return Charts.table(
                    columns: [widget.groupBy ?? "Group", metricLabel(widget)],
                    rows: groups.rows.map { [.text($0.label ?? "(none)"), .number($0.value ?? 0, decimals: decimals)] })
            default:
                return Charts.bar(title: title, categories: pairs)
            }
        case .table(let table):
            return Charts.table(
                columns: table.columns.map(\.field),
                rows: table.rows.map { row in row.map(cell) })
        }
    }

    private static func cell(_ value: Dashboards.TableCell) -> Web.TableCell {
        switch value {
        case .null: .text("")
        case .integer(let number): .number(Double(number), decimals: 0)
        case .real(let number): .number(number)
        case .bool(let flag): .text(flag ? "yes" : "no")
        case .timestamp(let date): .text(Timestamp.rfc3339(date))
        case .text(let text): .text(text)
        }
    }

    /// The metric in words: "Records", "Sum of amount".
    static func metricLabel(_ widget: Widget) -> String {
        switch widget.metric.aggregate {
        case .count: "Records"
        case .sum: "Sum of \(widget.metric.field ?? "")"
        case .avg: "Average \(widget.metric.field ?? "")"
        case .min: "Lowest \(widget.metric.field ?? "")"
        case .max: "Highest \(widget.metric.field ?? "")"
        }
    }
}
