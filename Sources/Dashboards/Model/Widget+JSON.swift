import Core
import Foundation
import Sync

extension DashboardDefinition {
    /// Reads a definition from its JSON form, checking the shape of every field (not yet against
    /// the sources' records); the error's ``DashboardError/fields`` lists each problem under its
    /// path, such as `widgets[2].metric.aggregate`.
    ///
    /// Widgets without an `id` get a new one; widgets keep theirs across edits by sending it back.
    public init(json: JSONValue) throws(DashboardError) {
        guard case .object(let members) = json else {
            throw DashboardError(.invalidDefinition, "A dashboard is a JSON object.")
        }
        let problems = DefinitionReader.ProblemList()
        var reader = DefinitionReader(members, problems: problems)
        let name = reader.string("name", maxLength: Self.maximumNameLength)
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            reader.problem("name", "Must not be blank.")
        }
        let description = reader.string("description", required: false, maxLength: 1000, allowsEmpty: true) ?? ""
        var ids = Set<String>()
        var widgets: [Widget] = []
        for var widgetReader in reader.objects("widgets", maxCount: Self.maximumWidgets, required: false) {
            if let widget = Widget.read(&widgetReader, ids: &ids) { widgets.append(widget) }
            widgetReader.finish()
        }
        reader.finish()
        guard problems.fields.isEmpty, let name else {
            throw DashboardError(.invalidDefinition, "Some fields are invalid.", fields: problems.fields)
        }
        self.init(name: name, description: description, widgets: widgets)
    }

    /// The definition as a JSON value, in the form ``init(json:)`` reads.
    public var json: JSONValue {
        // Encoding strings, numbers and booleans cannot fail, and neither can reading them back.
        let data = try! Widget.encoder.encode(self)
        return try! JSONDecoder().decode(JSONValue.self, from: data)
    }
}

extension DashboardDefinition: Encodable {
    private enum CodingKeys: String, CodingKey {
        case name, description, widgets
    }

    /// Encodes `{"name", "description", "widgets"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(widgets, forKey: .widgets)
    }
}

extension Widget {
    /// The longest widget id accepted.
    static let maximumIDLength = 64

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The widgets stored as JSON text by ``DashboardStore``.
    static func list(jsonText: String) throws -> [Widget] {
        guard case .array(let items) = try JSONDecoder().decode(JSONValue.self, from: Data(jsonText.utf8)) else {
            throw DashboardError(.storage, "Stored widgets are not a JSON array.")
        }
        let definition = try DashboardDefinition(json: .object(["name": .string("stored"), "widgets": .array(items)]))
        return definition.widgets
    }

    /// `widgets` as the JSON text ``list(jsonText:)`` reads.
    static func jsonText(of widgets: [Widget]) -> String {
        // Encoding strings, numbers and booleans cannot fail.
        String(decoding: try! encoder.encode(widgets), as: UTF8.self)
    }

    /// Reads one widget, checking each member and which members its kind takes; `ids` holds the
    /// ids of the widgets before it and gains this one's.
    fileprivate static func read(_ reader: inout DefinitionReader, ids: inout Set<String>) -> Widget? {
        let id = readID(&reader, ids: &ids)
        let title = reader.string("title", maxLength: 200)
        let kind = reader.choice("kind", as: WidgetKind.self)
        let sourceID = reader.integer("sourceId", in: 1...9_007_199_254_740_991)
        let metric = readMetric(&reader)
        let groupBy = reader.string("groupBy", required: false)
        let time = readTime(&reader)
        let filters = readFilters(&reader)
        let sortReader = reader.object("sort", required: false)
        let limit = reader.integer("limit", in: 1...100, required: false)
        let columns = reader.strings("columns", maxCount: 20)
        guard let kind else { return nil }

        var widget = Widget(
            id: id ?? "", title: title ?? "", kind: kind, sourceID: Int64(sourceID ?? 0), metric: metric ?? .count,
            groupBy: groupBy, time: time, filters: filters, limit: limit, columns: columns)
        func refuse(_ name: String, when present: Bool) {
            if present { reader.problem(name, "A \(kind.rawValue) widget takes no \(name).") }
        }
        switch kind {
        case .number, .line:
            refuse("groupBy", when: groupBy != nil)
            refuse("sort", when: sortReader != nil)
            refuse("limit", when: limit != nil)
            refuse("columns", when: !columns.isEmpty)
            if kind == .line && time == nil && !reader.contains("time") {
                reader.problem("time", "A line widget needs a time field and bucket.")
            }
        case .bar, .pie, .donut:
            refuse("time", when: time != nil)
            refuse("columns", when: !columns.isEmpty)
            if groupBy == nil && !reader.contains("groupBy") {
                reader.problem("groupBy", "A \(kind.rawValue) widget needs a field to group by.")
            }
            if let limit, limit > 50 { reader.problem("limit", "Must be a whole number from 1 to 50.") }
        case .table:
            refuse("time", when: time != nil)
            switch (groupBy != nil || reader.contains("groupBy"), !columns.isEmpty) {
            case (true, true):
                reader.problem("columns", "A table takes groupBy (a row per group) or columns, not both.")
            case (false, false):
                reader.problem("columns", "A table needs groupBy (a row per group) or columns (a row per record).")
            default:
                break
            }
            if groupBy == nil, let metric, metric != .count {
                reader.problem("metric", "A table of records takes no metric; give groupBy to aggregate.")
            }
        }
        if kind != .number && kind != .line {
            widget.limit = limit ?? 10
            if var sortReader {
                widget.sort = readSort(&sortReader, recordsOnly: widget.listsRecords)
                sortReader.finish()
            } else if !widget.listsRecords {
                widget.sort = WidgetSort(.value, descending: true)
            }
        }
        guard id != nil, title != nil, sourceID != nil, metric != nil else { return nil }
        return widget
    }

    private static func readID(_ reader: inout DefinitionReader, ids: inout Set<String>) -> String? {
        guard let given = reader.string("id", required: false, maxLength: maximumIDLength) else {
            var generated: String
            repeat {
                generated = "w" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
            } while ids.contains(generated)
            ids.insert(generated)
            return generated
        }
        guard given.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || $0 == "-" || $0 == "_") })
        else {
            reader.problem("id", "Use letters, digits, '-' and '_'.")
            return nil
        }
        guard ids.insert(given).inserted else {
            reader.problem("id", "Another widget of the dashboard has this id.")
            return nil
        }
        return given
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// The metric, `count` when absent; nil when it is malformed.
    private static func readMetric(_ reader: inout DefinitionReader) -> Metric? {
        if !reader.contains("metric") { return .count }
        guard var metricReader = reader.object("metric") else { return nil }
        defer { metricReader.finish() }
        guard let aggregate = metricReader.choice("aggregate", as: Aggregate.self) else { return nil }
        let field = metricReader.string("field", required: aggregate != .count)
        if aggregate == .count && field != nil {
            metricReader.problem("field", "count takes no field; it counts records.")
            return nil
        }
        if aggregate != .count && field == nil { return nil }
        return Metric(aggregate, field: field)
    }

    private static func readTime(_ reader: inout DefinitionReader) -> TimeAxis? {
        guard var timeReader = reader.object("time", required: false) else { return nil }
        defer { timeReader.finish() }
        let field = timeReader.string("field")
        let bucket = timeReader.choice("bucket", as: TimeBucket.self)
        let last = timeReader.integer("last", in: 1...1000, required: false)
        guard let field, let bucket else { return nil }
        return TimeAxis(field: field, bucket: bucket, last: last)
    }

    private static func readFilters(_ reader: inout DefinitionReader) -> [RecordFilter] {
        var filters: [RecordFilter] = []
        for var filterReader in reader.objects("filters", maxCount: 20, required: false) {
            defer { filterReader.finish() }
            let field = filterReader.string("field")
            let operation = filterReader.choice("op", as: FilterOperator.self)
            let takesValue = operation != .isNull && operation != .notNull
            var value: String?
            switch filterReader.value("value") {
            case nil, .null?:
                if operation != nil && takesValue { filterReader.problem("value", "This field is required.") }
            case .string(let text)?:
                value = text
            case .number(let number)?:
                value = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .bool(let flag)?:
                value = flag ? "true" : "false"
            case let other?:
                filterReader.problem("value", "Must be a string, number or boolean, not \(other.kindDescription).")
            }
            if operation != nil && !takesValue && value != nil {
                filterReader.problem("value", "null and notnull take no value.")
            }
            if let value, value.count > 1000 { filterReader.problem("value", "Must be at most 1000 characters.") }
            if let field, let operation {
                filters.append(RecordFilter(field: field, operation: operation, value: value))
            }
        }
        return filters
    }

    /// The three ways `sort.by` may be spelled.
    private enum SortBy: String, CaseIterable {
        case value, label, field
    }

    /// The order, in the forms the widget allows: a field for tables of records, otherwise value or label.
    private static func readSort(_ reader: inout DefinitionReader, recordsOnly: Bool) -> WidgetSort? {
        let by = reader.choice("by", as: SortBy.self)
        let field = reader.string("field", required: by == .field)
        let direction = reader.choice("direction", as: SortDirection.self, required: false)
        if by != .field && field != nil { reader.problem("field", "Only sort.by field takes a field.") }
        switch by {
        case .value?, .label?:
            if recordsOnly {
                reader.problem("by", "A table of records is sorted by a field.")
                return nil
            }
            let key: WidgetSort.Key = by == .value ? .value : .label
            return WidgetSort(key, descending: (direction ?? (key == .value ? .desc : .asc)) == .desc)
        case .field?:
            if !recordsOnly {
                reader.problem("by", "Groups are sorted by value or label.")
                return nil
            }
            return field.map { WidgetSort(.field($0), descending: direction == .desc) }
        case nil:
            return nil
        }
    }

    /// The two directions of `sort.direction`.
    private enum SortDirection: String, CaseIterable {
        case asc, desc
    }
}

extension Widget: Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, title, kind, sourceId, metric, groupBy, time, filters, sort, limit, columns
    }

    private enum MemberKeys: String, CodingKey {
        case aggregate, field, bucket, last, op, value, by, direction
    }

    /// Encodes the JSON shape ``DashboardDefinition/init(json:)`` reads, defaults filled in.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(kind, forKey: .kind)
        try container.encode(sourceID, forKey: .sourceId)
        var metricContainer = container.nestedContainer(keyedBy: MemberKeys.self, forKey: .metric)
        try metricContainer.encode(metric.aggregate, forKey: .aggregate)
        try metricContainer.encodeIfPresent(metric.field, forKey: .field)
        try container.encodeIfPresent(groupBy, forKey: .groupBy)
        if let time {
            var timeContainer = container.nestedContainer(keyedBy: MemberKeys.self, forKey: .time)
            try timeContainer.encode(time.field, forKey: .field)
            try timeContainer.encode(time.bucket, forKey: .bucket)
            try timeContainer.encodeIfPresent(time.last, forKey: .last)
        }
        var filtersContainer = container.nestedUnkeyedContainer(forKey: .filters)
        for filter in filters {
            var filterContainer = filtersContainer.nestedContainer(keyedBy: MemberKeys.self)
            try filterContainer.encode(filter.field, forKey: .field)
            try filterContainer.encode(filter.operation.rawValue, forKey: .op)
            try filterContainer.encodeIfPresent(filter.value, forKey: .value)
        }
        if let sort {
            var sortContainer = container.nestedContainer(keyedBy: MemberKeys.self, forKey: .sort)
            switch sort.key {
            case .value: try sortContainer.encode("value", forKey: .by)
            case .label: try sortContainer.encode("label", forKey: .by)
            case .field(let field):
                try sortContainer.encode("field", forKey: .by)
                try sortContainer.encode(field, forKey: .field)
            }
            try sortContainer.encode(sort.descending ? "desc" : "asc", forKey: .direction)
        }
        try container.encodeIfPresent(limit, forKey: .limit)
        if !columns.isEmpty { try container.encode(columns, forKey: .columns) }
    }
}
