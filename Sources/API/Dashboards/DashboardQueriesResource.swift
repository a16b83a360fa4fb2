import Core
import Dashboards
import HTTP
import Storage

/// Every widget's SQL statement, or its error, as `GET /api/v1/dashboards/{id}/queries` answers:
/// `{"id", "name", "dialect", "widgets": [{"id", "title", "kind", "sql", "parameters"} | {…, "error"}]}`.
enum DashboardQueriesResource {
    /// The response body for `dashboard` and its widgets' `statements` on a store of `dialect`.
    static func json(_ dashboard: Dashboard, dialect: SQLDialect, statements: [WidgetStatement]) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        writer.dashboardIdentity(dashboard)
        writer.key("dialect")
        writer.string(dialect.rawValue)
        writer.key("widgets")
        writer.beginArray()
        for statement in statements {
            writer.beginObject()
            writer.widgetIdentity(statement.widget)
            switch statement.outcome {
            case .success(let query):
                writer.key("sql")
                writer.string(query.sql)
                writer.key("parameters")
                writer.beginArray()
                for parameter in query.parameters {
                    writer.beginObject()
                    writer.key("type")
                    writer.string(parameter.kindName)
                    writer.key("value")
                    writer.value(parameter)
                    writer.endObject()
                }
                writer.endArray()
            case .failure(let error):
                writer.key("error")
                DashboardDataResource.write(error, to: &writer)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    private static let parameterSchema = JSONSchema.object(
        properties: [
            ("type", .string(allowed: ["null", "integer", "real", "text", "blob", "bool", "timestamp"])),
            (
                "value",
                .string(
                    description: """
                        The value bound: a JSON number for integer and real, true or false for bool, null for \
                        null, RFC 3339 text with microseconds for timestamp (as bound on both stores), base64 \
                        for blob, else text.
                        """)
            ),
        ],
        required: ["type", "value"])

    static let schema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("name", .string()),
            (
                "dialect",
                .string(description: "The store the statements are written for.", allowed: ["sqlite", "postgres"])
            ),
            (
                "widgets",
                .array(
                    of: .object(
                        properties: DashboardDataResource.widgetIdentity + [
                            ("sql", .string(description: "The statement, with $1, $2, … for the parameters.")),
                            ("parameters", .array(of: parameterSchema, description: "In placeholder order.")),
                            ("error", DashboardDataResource.errorSchema),
                        ], required: ["id", "title", "kind"],
                        description: "Each widget has either sql and parameters or an error."))
            ),
        ],
        required: ["id", "name", "dialect", "widgets"])
}
