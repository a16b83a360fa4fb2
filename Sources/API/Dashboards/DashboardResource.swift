import Core
import Dashboards
import Foundation
import HTTP
import Sync

/// A dashboard as the API shows it: its definition, id and times.
struct DashboardResource: Encodable {
    let id: Int64
    let name: String
    let description: String
    let widgets: [Widget]
    let createdAt: String
    let updatedAt: String

    init(_ dashboard: Dashboard) {
        id = dashboard.id
        name = dashboard.name
        description = dashboard.description
        widgets = dashboard.widgets
        createdAt = APITime.text(dashboard.createdAt)
        updatedAt = APITime.text(dashboard.updatedAt)
    }

    static let widgetSchema = JSONSchema.object(
        properties: [
            ("id", .string(description: "Stable within the dashboard; generated when absent.")),
            ("title", .string()), ("kind", .string(allowed: WidgetKind.allCases.map(\.rawValue))),
            ("sourceId", .integer()),
            (
                "metric",
                .object(
                    properties: [
                        ("aggregate", .string(allowed: Aggregate.allCases.map(\.rawValue))),
                        ("field", .string(description: "An integer or real field; not for count.")),
                    ], required: ["aggregate"], description: "Default: count.")
            ),
            ("groupBy", .string(description: "bar, pie, donut, and tables of groups.")),
            (
                "time",
                .object(
                    properties: [
                        ("field", .string(description: "A timestamp field.")),
                        ("bucket", .string(allowed: TimeBucket.allCases.map(\.rawValue))),
                        ("last", .integer(description: "How many buckets (line) or whole periods (number).")),
                    ], required: ["field", "bucket"], description: "line, and number for the comparison.")
            ),
            (
                "filters",
                .array(
                    of: .object(
                        properties: [
                            ("field", .string()), ("op", .string(allowed: FilterOperator.allCases.map(\.rawValue))),
                            ("value", .string(description: "Read as the field's type; numbers and booleans too.")),
                        ], required: ["field", "op"]))
            ),
            (
                "sort",
                .object(
                    properties: [
                        ("by", .string(allowed: ["value", "label", "field"])),
                        ("field", .string(description: "With by field, for tables of records.")),
                        ("direction", .string(allowed: ["asc", "desc"])),
                    ], required: ["by"])
            ),
            ("limit", .integer(description: "Groups or records shown: 1-50 for bar, pie, donut; 1-100 for tables.")),
            ("columns", .array(of: .string(), description: "The fields of a table of records.")),
        ],
        required: ["title", "kind", "sourceId"], description: "A widget; docs/dashboards.md describes each kind.")

    static let definitionSchema = JSONSchema.object(
        properties: [
            ("name", .string()), ("description", .string()),
            ("widgets", .array(of: widgetSchema, description: "At most 50, in the order shown.")),
        ],
        required: ["name"])

    static let schema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("name", .string()), ("description", .string()),
            ("widgets", .array(of: widgetSchema)), ("createdAt", .string(format: "date-time")),
            ("updatedAt", .string(format: "date-time")),
        ],
        required: ["id", "name", "description", "widgets", "createdAt", "updatedAt"])
}

/// Every widget's result, or its error, as `GET /api/v1/dashboards/{id}/data` answers:
/// `{"id", "name", "widgets": [{"id", "title", "kind", "cached", "result" | "error"}]}`.
///
/// Written straight into a ``JSONWriter``, since dashboards are read far more often than changed.
enum DashboardDataResource {
    /// The response body for `dashboard` and its widgets' `data`.
    static func json(_ dashboard: Dashboard, data: [WidgetData]) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        writer.dashboardIdentity(dashboard)
        writer.key("widgets")
        writer.beginArray()
        for widget in data {
            writer.beginObject()
            writer.widgetIdentity(widget.widget)
            writer.key("cached")
            writer.bool(widget.cached)
            switch widget.outcome {
            case .success:
                writer.key("result")
                writer.raw(widget.resultJSON)
            case .failure(let error):
                writer.key("error")
                write(error, to: &writer)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// Why a widget has no result: `source_missing`, `invalid_widget` (with the members that no
    /// longer fit) or `query_failed`.
    static func write(_ error: DashboardError, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("code")
        switch error.kind {
        case .sourceMissing: writer.string("source_missing")
        case .invalidDefinition: writer.string("invalid_widget")
        default: writer.string("query_failed")
        }
        writer.key("message")
        writer.string(error.message)
        if !error.fields.isEmpty {
            writer.key("fields")
            writer.beginObject()
            for name in error.fields.keys.sorted() {
                writer.key(name)
                writer.string(error.fields[name]!)
            }
            writer.endObject()
        }
        writer.endObject()
    }

    private static let period = JSONSchema.object(
        properties: [("start", .string(format: "date-time")), ("end", .string(format: "date-time"))])

    private static let resultSchema = JSONSchema.object(
        properties: [
            ("type", .string(allowed: ["number", "series", "groups", "table"])), ("value", .nullable(.number())),
            ("previousValue", .nullable(.number())), ("changePercent", .nullable(.number())),
            ("period", .nullable(period)), ("previousPeriod", .nullable(period)),
            ("bucket", .string(allowed: TimeBucket.allCases.map(\.rawValue))),
            (
                "points",
                .array(
                    of: .object(properties: [("time", .string(format: "date-time")), ("value", .nullable(.number()))]))
            ),
            (
                "rows",
                .array(
                    of: .object(properties: [
                        ("label", .nullable(.string())), ("value", .nullable(.number())), ("other", .boolean()),
                    ]))
            ),
            (
                "columns",
                .array(
                    of: .object(properties: [
                        ("field", .string()), ("name", .string()),
                        ("type", .string(allowed: ColumnType.allCases.map(\.rawValue))),
                    ]))
            ),
            ("records", .array(of: .object(properties: [], description: "A member per column, keyed by field."))),
        ],
        required: ["type"],
        description: """
            By type: number has value, previousValue, changePercent, period and previousPeriod; series has \
            bucket and points; groups has rows; table has columns and records.
            """)

    /// The members that name a widget in every answer, as ``JSONWriter/widgetIdentity(_:)`` writes them.
    static let widgetIdentity: [(String, JSONSchema)] = [
        ("id", .string()), ("title", .string()), ("kind", .string(allowed: WidgetKind.allCases.map(\.rawValue))),
    ]

    static let schema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("name", .string()),
            (
                "widgets",
                .array(
                    of: .object(
                        properties: Self.widgetIdentity + [
                            ("cached", .boolean(description: "Whether the result came from the cache.")),
                            ("result", resultSchema), ("error", errorSchema),
                        ], required: ["id", "title", "kind", "cached"],
                        description: "Each widget has either a result or an error."))
            ),
        ],
        required: ["id", "name", "widgets"])

    static let errorSchema = JSONSchema.object(
        properties: [
            ("code", .string(allowed: ["source_missing", "invalid_widget", "query_failed"])), ("message", .string()),
            ("fields", .map(of: .string(), description: "The widget's members that no longer fit, by path.")),
        ],
        required: ["code", "message"])
}

extension JSONWriter {
    /// Writes the `id` and `name` members that open every answer about a dashboard.
    mutating func dashboardIdentity(_ dashboard: Dashboard) {
        key("id")
        integer(dashboard.id)
        key("name")
        string(dashboard.name)
    }

    /// Writes the `id`, `title` and `kind` members that name a widget in every answer.
    mutating func widgetIdentity(_ widget: Widget) {
        key("id")
        string(widget.id)
        key("title")
        string(widget.title)
        key("kind")
        string(widget.kind.rawValue)
    }
}
