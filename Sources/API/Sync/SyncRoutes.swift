import Audit
import Foundation
import HTTP
import Identity
import Sync

/// `/api/v1/syncs`: the history and live progress of sync runs, and cancellation for admins.
public struct SyncRoutes: Sendable {
    private let sync: SyncService
    private let audit: any AuditRecorder

    /// Creates the routes over the sync service.
    public init(sync: SyncService, audit: any AuditRecorder) {
        self.sync = sync
        self.audit = audit
    }

    private static let notFound = ResponseDocumentation("No such sync run.", schema: .errorBody)

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .get, "/api/v1/syncs",
            RouteMetadata(
                access: .viewer,
                summary: "Sync runs, newest first; filter with source=ID, page with before=nextBefore, limit 1-200.",
                tags: ["syncs"],
                responses: [
                    200: ResponseDocumentation(
                        "A page of runs.",
                        schema: .object(properties: [
                            ("runs", .array(of: SyncRunResource.schema)), ("nextBefore", .nullable(.integer())),
                        ])),
                    422: ResponseDocumentation("A parameter is malformed.", schema: .errorBody),
                ])
        ) { request in
            let sourceID = try Self.positive(request.query["source"], name: "source")
            let before = try Self.positive(request.query["before"], name: "before")
            var limit = 50
            if let text = request.query["limit"] {
                guard let value = Int(text), (1...200).contains(value) else {
                    throw HTTPError.unprocessable(
                        "A parameter is malformed.", fields: ["limit": "Must be a whole number from 1 to 200."])
                }
                limit = value
            }
            let runs = try sync.queue.list(sourceID: sourceID, before: before, limit: limit)
            let names = Dictionary(uniqueKeysWithValues: try sync.sources.list().map { ($0.id, $0.name) })
            return try Response.json(
                RunPage(
                    runs: runs.map { SyncRunResource($0, sourceName: names[$0.sourceID]) },
                    nextBefore: runs.count == limit ? runs.last?.id : nil))
        }
        router.add(
            .get, "/api/v1/syncs/{id}",
            RouteMetadata(
                access: .viewer, summary: "One run with its live progress.", tags: ["syncs"],
                responses: [200: ResponseDocumentation("The run.", schema: SyncRunResource.schema), 404: Self.notFound])
        ) { request in
            let run = try run(request)
            return try Response.json(SyncRunResource(run, sourceName: try sync.sources.find(id: run.sourceID)?.name))
        }
        router.add(
            .post, "/api/v1/syncs/{id}/cancel",
            RouteMetadata(
                access: .admin, summary: "Cancel a run: a queued one at once, a running one at its next batch.",
                tags: ["syncs"],
                responses: [
                    200: ResponseDocumentation("The run as it stands.", schema: SyncRunResource.schema),
                    404: Self.notFound, 409: ResponseDocumentation("The run has ended.", schema: .errorBody),
                ])
        ) { request in
            let run = try sync.queue.requestCancel(id: try run(request).id)
            let name = try sync.sources.find(id: run.sourceID)?.name
            audit.record(
                AuditEvent(
                    actor: try request.requirePrincipal().user.username, action: "sync.cancel",
                    target: "source:\(name ?? String(run.sourceID))", outcome: .success,
                    ip: request.client.address.description, userAgent: request.client.userAgent,
                    details: ["runId": String(run.id)]))
            return try Response.json(SyncRunResource(run, sourceName: name))
        }
    }

    private struct RunPage: Encodable {
        let runs: [SyncRunResource]
        let nextBefore: Int64?
    }

    private func run(_ request: Request) throws -> SyncRun {
        guard let id = Int64(try request.parameter("id")), id > 0, let run = try sync.queue.find(id: id) else {
            throw HTTPError.notFound("No such sync run.")
        }
        return run
    }

    private static func positive(_ text: String?, name: String) throws -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text), value > 0 else {
            throw HTTPError.unprocessable("A parameter is malformed.", fields: [name: "Must be a positive id."])
        }
        return value
    }
}
