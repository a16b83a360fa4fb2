import Audit
import Core
import Foundation
import HTTP
import Storage

/// `/api/v1/audit`: the audit log for admins, filtered and paged newest first, and a CSV export.
public struct AuditRoutes: Sendable {
    private let reader: AuditReader

    /// Creates the routes over the control database.
    public init(database: any Database) {
        reader = AuditReader(database: database)
    }

    private static let filterHelp =
        "Filters: actor, action (ending in '.' matches a prefix, e.g. auth.), outcome, target, "
        + "from and to (RFC 3339)."
    private static let entrySchema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("occurredAt", .string(format: "date-time")), ("actor", .string()),
            ("action", .string()), ("target", .string()),
            ("outcome", .string(allowed: AuditOutcome.allCases.map(\.rawValue))), ("ip", .string()),
            ("userAgent", .string()), ("details", .map(of: .string())), ("hash", .string()),
        ],
        required: ["id", "occurredAt", "actor", "action", "target", "outcome", "details", "hash"])

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .get, "/api/v1/audit",
            RouteMetadata(
                access: .admin,
                summary: "Audit entries, newest first. " + Self.filterHelp
                    + " Page with before=nextBefore; limit 1-500.",
                tags: ["audit"],
                responses: [
                    200: ResponseDocumentation(
                        "A page of entries.",
                        schema: .object(
                            properties: [
                                ("entries", .array(of: Self.entrySchema)), ("nextBefore", .nullable(.integer())),
                            ],
                            required: ["entries"])),
                    422: ResponseDocumentation("A filter is malformed.", schema: .errorBody),
                ])
        ) { request in
            var query = AuditQuery(filter: try Self.filter(request.query))
            if let before = request.query["before"] {
                guard let id = Int64(before), id > 0 else { throw Self.invalid("before", "Must be a positive id.") }
                query.before = id
            }
            if let limit = request.query["limit"] {
                guard let count = Int(limit), (1...AuditQuery.maximumLimit).contains(count) else {
                    throw Self.invalid("limit", "Must be a whole number from 1 to \(AuditQuery.maximumLimit).")
                }
                query.limit = count
            }
            return Response.json(Self.render(try reader.page(query)))
        }
        router.add(
            .get, "/api/v1/audit.csv",
            RouteMetadata(
                access: .admin, summary: "The audit log as CSV, oldest first, streamed. " + Self.filterHelp,
                tags: ["audit"],
                responses: [200: ResponseDocumentation("CSV with a header row.", contentType: "text/csv")])
        ) { request in
            let filter = try Self.filter(request.query)
            var response = Response.stream(contentType: "text/csv; charset=utf-8") { [reader] writer in
                try reader.export(filter, as: .csv) { chunk in try writer.write(chunk) }
            }
            response.headers.set("Content-Disposition", #"attachment; filename="syncline-audit.csv""#)
            return response
        }
    }

    private static func filter(_ query: QueryParameters) throws -> AuditFilter {
        var filter = AuditFilter(actor: query["actor"], target: query["target"])
        filter.action = query["action"].map(AuditFilter.ActionMatch.init)
        if let outcome = query["outcome"] {
            guard let value = AuditOutcome(rawValue: outcome) else {
                throw invalid("outcome", "Must be one of: success, failure, denied.")
            }
            filter.outcome = value
        }
        for (name, keyPath) in [("from", \AuditFilter.from), ("to", \AuditFilter.to)] {
            guard let text = query[name] else { continue }
            guard let date = Timestamp.parse(text) else { throw invalid(name, "Must be an RFC 3339 time.") }
            filter[keyPath: keyPath] = date
        }
        return filter
    }

    private static func invalid(_ field: String, _ message: String) -> HTTPError {
        HTTPError.unprocessable("A filter is malformed.", fields: [field: message])
    }

    private static func render(_ page: AuditPage) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("entries")
        writer.beginArray()
        for entry in page.entries {
            let event = entry.event
            writer.beginObject()
            writer.key("id")
            writer.integer(entry.id)
            for (key, value) in [
                ("occurredAt", Timestamp.rfc3339(event.occurredAt, fractionalDigits: 3)), ("actor", event.actor),
                ("action", event.action), ("target", event.target), ("outcome", event.outcome.rawValue),
                ("ip", event.ip), ("userAgent", event.userAgent),
            ] {
                writer.key(key)
                writer.string(value)
            }
            writer.key("details")
            writer.beginObject()
            for name in event.details.keys.sorted() {
                writer.key(name)
                writer.string(event.details[name]!)
            }
            writer.endObject()
            writer.key("hash")
            writer.string(entry.hash)
            writer.endObject()
        }
        writer.endArray()
        writer.key("nextBefore")
        if let next = page.nextBefore { writer.integer(next) } else { writer.null() }
        writer.endObject()
        return writer.bytes
    }
}
