import Core
import Dashboards
import Sync

/// The editor's form for one widget: its fields as text, read from a stored widget or from a
/// submitted form, and turned into the widget JSON the dashboards layer reads.
struct WidgetForm {
    var id = ""
    var title = ""
    var kind = WidgetKind.bar.rawValue
    var sourceID = ""
    var aggregate = Aggregate.count.rawValue
    var metricField = ""
    var groupBy = ""
    var timeField = ""
    var bucket = Dashboards.TimeBucket.day.rawValue
    var last = ""
    var sort = "value-desc"
    var limit = ""
    var filters = ""
    var columns = ""

    init() {}

    /// The form of a stored widget.
    init(_ widget: Widget) {
        id = widget.id
        title = widget.title
        kind = widget.kind.rawValue
        sourceID = String(widget.sourceID)
        aggregate = widget.metric.aggregate.rawValue
        metricField = widget.metric.field ?? ""
        groupBy = widget.groupBy ?? ""
        timeField = widget.time?.field ?? ""
        bucket = widget.time?.bucket.rawValue ?? Dashboards.TimeBucket.day.rawValue
        last = widget.time?.last.map(String.init) ?? ""
        limit = widget.limit.map(String.init) ?? ""
        filters = widget.filters.map { filter in
            [filter.field, filter.operation.rawValue] + (filter.value.map { [$0] } ?? [])
        }.map { $0.joined(separator: ":") }.joined(separator: "\n")
        columns = widget.columns.joined(separator: ", ")
        if let order = widget.sort {
            let direction = order.descending ? "desc" : "asc"
            switch order.key {
            case .value: sort = "value-\(direction)"
            case .label: sort = "label-\(direction)"
            case .field(let field): sort = "field-\(direction):\(field)"
            }
        }
    }

    /// The form as submitted.
    init(_ form: FormBody) {
        id = form["id"] ?? ""
        title = form["title"] ?? ""
        kind = form["kind"] ?? WidgetKind.bar.rawValue
        sourceID = form["source"] ?? ""
        aggregate = form["aggregate"] ?? Aggregate.count.rawValue
        metricField = form["metricField"] ?? ""
        groupBy = form["groupBy"] ?? ""
        timeField = form["timeField"] ?? ""
        bucket = form["bucket"] ?? Dashboards.TimeBucket.day.rawValue
        last = form["last"] ?? ""
        sort = form["sort"] ?? "value-desc"
        limit = form["limit"] ?? ""
        filters = form.raw("filters") ?? ""
        columns = form["columns"] ?? ""
    }

    /// The widget as JSON, with only the members its kind takes, so the dashboards layer's own
    /// checks report what is wrong by field.
    var json: JSONValue {
        var members: [String: JSONValue] = ["title": .string(title), "kind": .string(kind)]
        if !id.isEmpty { members["id"] = .string(id) }
        members["sourceId"] = Double(sourceID).map(JSONValue.number) ?? .string(sourceID)
        let listsRecords = kind == WidgetKind.table.rawValue && groupBy.isEmpty
        if !listsRecords {
            var metric: [String: JSONValue] = ["aggregate": .string(aggregate)]
            if aggregate != Aggregate.count.rawValue { metric["field"] = .string(metricField) }
            members["metric"] = .object(metric)
        }
        switch kind {
        case WidgetKind.number.rawValue, WidgetKind.line.rawValue:
            if !timeField.isEmpty || kind == WidgetKind.line.rawValue {
                var time: [String: JSONValue] = ["field": .string(timeField), "bucket": .string(bucket)]
                if let count = Double(last) { time["last"] = .number(count) }
                members["time"] = .object(time)
            }
        default:
            if listsRecords {
                members["columns"] = .array(
                    columns.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            } else {
                members["groupBy"] = .string(groupBy)
            }
            if let count = Double(limit) { members["limit"] = .number(count) }
            members["sort"] = sortJSON
        }
        members["filters"] = .array(
            filters.split(whereSeparator: \.isNewline).compactMap { line in
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { return nil }
                guard let filter = RecordFilter(parsing: text) else { return .string(text) }
                var filterMembers: [String: JSONValue] = [
                    "field": .string(filter.field), "op": .string(filter.operation.rawValue),
                ]
                if let value = filter.value { filterMembers["value"] = .string(value) }
                return .object(filterMembers)
            })
        return .object(members)
    }

    private var sortJSON: JSONValue {
        let parts = sort.split(separator: ":", maxSplits: 1).map(String.init)
        let order = parts.first?.split(separator: "-").map(String.init) ?? ["value", "desc"]
        var members: [String: JSONValue] = [
            "by": .string(order.first ?? "value"), "direction": .string(order.last ?? "desc"),
        ]
        if parts.count == 2 { members["field"] = .string(parts[1]) }
        return .object(members)
    }
}
