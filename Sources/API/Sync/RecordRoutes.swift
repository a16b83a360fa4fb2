import Foundation
import HTTP
import Storage
import Sync

/// `/api/v1/sources/{id}/records`: a source's records, filtered, searched, sorted and paged,
/// and the same as a streamed CSV export.
public struct RecordRoutes: Sendable {
    private let sync: SyncService
    private let reader: RecordReader

    /// Creates the routes over the sync service.
    public init(sync: SyncService) {
        self.sync = sync
        reader = sync.records
    }

    private static let queryHelp =
        "fields=a,b chooses columns; filter=FIELD:OP:VALUE (repeatable; OP is eq, ne, gt, gte, lt, lte, contains, "
        + "prefix, or FIELD:null / FIELD:notnull); q= searches text fields; sort=FIELD or sort=-FIELD."

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .get, "/api/v1/sources/{id}/records",
            RouteMetadata(
                access: .viewer,
                summary: "A page of records. " + Self.queryHelp + " limit 1-1000; after=nextCursor pages on.",
                tags: ["records"],
                responses: [
                    200: ResponseDocumentation(
                        "The columns shown and a page of records keyed by column name.",
                        schema: .object(
                            properties: [
                                (
                                    "columns",
                                    .array(
                                        of: .object(properties: [
                                            ("field", .string()), ("name", .string()), ("type", .string()),
                                        ]))
                                ),
                                ("records", .array(of: .object(properties: []))),
                                ("nextCursor", .nullable(.string())),
                            ], required: ["columns", "records", "nextCursor"])),
                    404: ResponseDocumentation("No such source.", schema: .errorBody),
                    422: ResponseDocumentation("A parameter is malformed.", schema: .errorBody),
                ])
        ) { request in
            let source = try source(request)
            var query = try Self.query(request.query)
            if let text = request.query["limit"] {
                guard let limit = Int(text), (1...RecordQuery.maximumLimit).contains(limit) else {
                    throw HTTPError.unprocessable(
                        "A parameter is malformed.",
                        fields: ["limit": "Must be a whole number from 1 to \(RecordQuery.maximumLimit)."])
                }
                query.limit = limit
            }
            query.after = request.query["after"]
            return Response.json(try reader.page(sourceID: source.id, query: query))
        }
        router.add(
            .get, "/api/v1/sources/{id}/records.csv",
            RouteMetadata(
                access: .viewer, summary: "Every matching record as CSV, streamed. " + Self.queryHelp,
                tags: ["records"],
                responses: [
                    200: ResponseDocumentation("CSV with a header row of field names.", contentType: "text/csv"),
                    404: ResponseDocumentation("No such source.", schema: .errorBody),
                ])
        ) { request in
            let source = try source(request)
            let query = try Self.query(request.query)
            // Checked before streaming starts, so a malformed query still gets its 422.
            try reader.validate(sourceID: source.id, query: query)
            var response = Response.stream(contentType: "text/csv; charset=utf-8") { [reader] writer in
                try reader.export(sourceID: source.id, query: query) { chunk in try writer.write(chunk) }
            }
            let filename = source.name.unicodeScalars.map {
                CharacterSet.alphanumerics.contains($0) ? Character($0) : "-"
            }
            response.headers.set(
                "Content-Disposition", "attachment; filename=\"\(String(filename).prefix(64)).csv\"")
            return response
        }
    }

    private func source(_ request: Request) throws -> Source {
        guard let id = Int64(try request.parameter("id")), id > 0, let source = try sync.sources.find(id: id) else {
            throw HTTPError.notFound("No such source.")
        }
        return source
    }

    private static func query(_ parameters: QueryParameters) throws -> RecordQuery {
        try RecordQuery(
            fields: parameters["fields"].map { $0.split(separator: ",").map(String.init) },
            filters: parameters.values(for: "filter"), search: parameters["q"], sort: parameters["sort"])
    }
}
