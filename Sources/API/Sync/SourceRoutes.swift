import Audit
import Core
import Foundation
import HTTP
import Identity
import Sync

/// `/api/v1/sources`: sources for everyone signed in (connection details for admins only),
/// managed by admins, with connection checks, discovery and manual syncs.
public struct SourceRoutes: Sendable {
    private let sync: SyncService
    private let audit: any AuditRecorder

    /// Creates the routes over the sync service.
    public init(sync: SyncService, audit: any AuditRecorder, uploadLimit: Int = 512 * 1024 * 1024) {
        self.sync = sync
        self.audit = audit
        self.uploadLimit = uploadLimit
    }

    private let uploadLimit: Int

    /// Where uploaded files are kept, relative to the import directory.
    public static let uploadFolder = "uploads"

    private static let bodyLimit = 64 * 1024
    private static let notFound = ResponseDocumentation("No such source.", schema: .errorBody)
    private static let invalid = ResponseDocumentation("The definition is invalid.", schema: .errorBody)
    private static let definitionSchema = JSONSchema.object(
        properties: [
            ("name", .string()), ("kind", .string(allowed: SourceKind.allCases.map(\.rawValue))),
            ("mode", .string(allowed: SyncMode.allCases.map(\.rawValue))),
            ("primaryKey", .array(of: .string())),
            ("cursor", .object(properties: [("field", .string()), ("lookback", .number())], required: ["field"])),
            ("schedule", .object(properties: [("everySeconds", .integer()), ("cron", .string())])),
            ("marksDeleted", .boolean()), ("rest", .object(properties: [])), ("csv", .object(properties: [])),
            ("postgres", .object(properties: [])), ("sqlite", .object(properties: [])),
        ],
        required: ["name", "kind"], description: "A source definition; docs/sources.md lists every option.")

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .get, "/api/v1/sources",
            RouteMetadata(
                access: .viewer, summary: "Every source, with its latest run; definitions for admins only.",
                tags: ["sources"],
                responses: [
                    200: ResponseDocumentation(
                        "The sources, by name.",
                        schema: .object(properties: [("sources", .array(of: SourceResource.schema))]))
                ])
        ) { request in
            let detailed = try isAdmin(request)
            let latest = try sync.queue.latestRuns()
            let sources = try sync.sources.list().map {
                SourceResource($0, latestRun: latest[$0.id], detailed: detailed)
            }
            return try Response.json(["sources": sources])
        }
        router.add(
            .post, "/api/v1/sources",
            RouteMetadata(
                access: .admin, summary: "Create a source.", tags: ["sources"], accepts: ["application/json"],
                bodyLimit: Self.bodyLimit, requestSchema: Self.definitionSchema,
                responses: [
                    201: ResponseDocumentation("Created.", schema: SourceResource.schema),
                    409: ResponseDocumentation(
                        "The name is taken.", schema: .errorBody), 422: Self.invalid,
                ])
        ) { request in
            let definition = try SourceDefinition(json: try JSONBody(request).json)
            let source = try sync.sources.create(definition)
            recordChange("source.create", source: source.name, request: request)
            return try Response.json(SourceResource(source, latestRun: nil, detailed: true), status: 201)
        }
        router.add(
            .get, "/api/v1/sources/{id}",
            RouteMetadata(
                access: .viewer, summary: "One source; its definition for admins only.", tags: ["sources"],
                responses: [
                    200: ResponseDocumentation("The source.", schema: SourceResource.schema), 404: Self.notFound,
                ])
        ) { request in
            let source = try source(request)
            let latest = try sync.queue.list(sourceID: source.id, limit: 1).first
            return try Response.json(SourceResource(source, latestRun: latest, detailed: try isAdmin(request)))
        }
        router.add(
            .patch, "/api/v1/sources/{id}",
            RouteMetadata(
                access: .admin,
                summary: "Change a source: the fields given replace the stored ones (nested objects whole).",
                tags: ["sources"], accepts: ["application/json"], bodyLimit: Self.bodyLimit,
                requestSchema: Self.definitionSchema,
                responses: [
                    200: ResponseDocumentation("The source as changed.", schema: SourceResource.schema),
                    404: Self.notFound, 409: ResponseDocumentation("The name is taken.", schema: .errorBody),
                    422: Self.invalid,
                ])
        ) { request in
            let current = try source(request)
            let changes = try JSONBody(request).json
            let definition = try SourceDefinition(json: try merged(current.definition, with: changes))
            var problems: [String: String] = [:]
            if definition.kind != current.definition.kind {
                problems["kind"] = "The kind of a source cannot change; create another source."
            }
            if definition.primaryKey != current.definition.primaryKey && current.recordCount > 0 {
                problems["primaryKey"] = "The primary key cannot change once records are stored."
            }
            guard problems.isEmpty else {
                throw HTTPError.unprocessable("Some fields are invalid.", fields: problems)
            }
            return try save(definition, over: current, action: "source.update", request: request)
        }
        router.add(
            .delete, "/api/v1/sources/{id}",
            RouteMetadata(
                access: .admin, summary: "Delete a source with its records and history.", tags: ["sources"],
                responses: [
                    204: ResponseDocumentation("Deleted."), 404: Self.notFound,
                    409: ResponseDocumentation("A sync is queued or running.", schema: .errorBody),
                ])
        ) { request in
            let source = try source(request)
            try sync.sources.delete(id: source.id)
            recordChange("source.delete", source: source.name, request: request)
            return Response(status: 204)
        }
        router.add(
            .post, "/api/v1/sources/{id}/test",
            RouteMetadata(
                access: .admin, summary: "Check that the source answers with its credentials.", tags: ["sources"],
                responses: [
                    200: ResponseDocumentation(
                        "The outcome: ok, and what answered or why it failed.",
                        schema: .object(
                            properties: [("ok", .boolean()), ("message", .string())], required: ["ok", "message"])),
                    404: Self.notFound,
                ],
                blocking: true)
        ) { request in
            let source = try source(request)
            let check: ConnectionCheck
            do throws(SyncError) {
                check = ConnectionCheck(ok: true, message: try sync.checkConnection(source.definition))
            } catch {
                check = ConnectionCheck(ok: false, message: error.message)
            }
            return try Response.json(check)
        }
        router.add(
            .post, "/api/v1/sources/{id}/discover",
            RouteMetadata(
                access: .admin, summary: "Sample records and propose a column type per field.", tags: ["sources"],
                responses: [
                    200: ResponseDocumentation(
                        "The fields found.",
                        schema: .object(properties: [
                            (
                                "fields",
                                .array(
                                    of: .object(properties: [
                                        ("field", .string()), ("type", .nullable(.string())), ("present", .integer()),
                                    ]))
                            )
                        ])),
                    404: Self.notFound, 502: ResponseDocumentation("The source failed.", schema: .errorBody),
                ],
                blocking: true)
        ) { request in
            try Response.json(["fields": try sync.discover(try source(request))])
        }
        router.add(
            .post, "/api/v1/sources/{id}/syncs",
            RouteMetadata(
                access: .admin, summary: "Start a sync of the source now.", tags: ["syncs"],
                responses: [
                    202: ResponseDocumentation("Queued.", schema: SyncRunResource.schema), 404: Self.notFound,
                    409: ResponseDocumentation("A sync of this source is queued or running.", schema: .errorBody),
                    429: ResponseDocumentation("Too many manual syncs; see Retry-After.", schema: .errorBody),
                ])
        ) { request in
            let source = try source(request)
            let requested = try sync.requestManualSync(
                of: source, by: try request.requirePrincipal().user.username,
                ip: request.client.address.description, userAgent: request.client.userAgent)
            switch requested {
            case .queued(let run): return try Response.json(SyncRunResource(run, sourceName: source.name), status: 202)
            case .throttled(let seconds): throw IdentityError.throttled(retryAfter: seconds)
            }
        }
        router.add(
            .put, "/api/v1/sources/{id}/file",
            RouteMetadata(
                access: .admin,
                summary: "Upload the file of a CSV source; it replaces the previous one once its header reads.",
                tags: ["sources"], accepts: ["text/csv", "application/octet-stream"], bodyLimit: uploadLimit,
                responses: [
                    200: ResponseDocumentation(
                        "Stored; the source reads it from now on.", schema: SourceResource.schema),
                    404: Self.notFound, 409: ResponseDocumentation("Not a CSV source.", schema: .errorBody),
                    413: ResponseDocumentation("The file is too large.", schema: .errorBody),
                    422: ResponseDocumentation("The file does not read as CSV.", schema: .errorBody),
                ],
                blocking: true, spoolsBody: true)
        ) { request in
            let current = try source(request)
            guard case .csv(var options) = current.definition.connection else {
                throw SyncError(.conflict, "Only CSV sources take an uploaded file.")
            }
            options.path = try storeUpload(request, options: options, sourceID: current.id)
            var definition = current.definition
            definition.connection = .csv(options)
            return try save(definition, over: current, action: "source.upload", request: request)
        }
        router.add(
            .get, "/api/v1/sources/{id}/schema",
            RouteMetadata(
                access: .viewer,
                summary:
                    "The columns of the source's records, their types, and whether a sort index serves sorts by them.",
                tags: ["records"],
                responses: [
                    200: ResponseDocumentation(
                        "The columns in order.",
                        schema: .object(properties: [
                            (
                                "columns",
                                .array(
                                    of: .object(properties: [
                                        ("field", .string()), ("name", .string()),
                                        ("type", .string(allowed: ColumnType.allCases.map(\.rawValue))),
                                        ("indexed", .boolean()),
                                    ]))
                            )
                        ])),
                    404: Self.notFound,
                ])
        ) { request in
            let source = try source(request)
            let indexed = try sync.sources.sortIndexedFields(sourceID: source.id)
            let columns = try sync.sources.columns(sourceID: source.id).map {
                SchemaColumn(
                    field: $0.field, name: $0.name, type: $0.type.rawValue, indexed: indexed.contains($0.field))
            }
            return try Response.json(["columns": columns])
        }
    }

    private struct SchemaColumn: Encodable {
        var field: String
        var name: String
        var type: String
        var indexed: Bool
    }

    private func source(_ request: Request) throws -> Source {
        guard let id = Int64(try request.parameter("id")), id > 0, let source = try sync.sources.find(id: id) else {
            throw HTTPError.notFound("No such source.")
        }
        return source
    }

    /// Moves the spooled body into the upload folder under the source's own name once its header
    /// reads as CSV; returns its path relative to the import directory.
    private func storeUpload(_ request: Request, options: CSVOptions, sourceID: Int64) throws -> String {
        guard let spooled = request.bodyFile else { throw HTTPError.badRequest("The upload is missing.") }
        let root = sync.importDirectory.path
        let final = "\(Self.uploadFolder)/source-\(sourceID).csv"
        let candidate = final + ".incoming"
        try FileManager.default.createDirectory(
            atPath: root + "/" + Self.uploadFolder, withIntermediateDirectories: true)
        guard rename(spooled, root + "/" + candidate) == 0 else {
            throw HTTPError(status: 500, code: "internal_error", message: "The upload could not be stored.")
        }
        var probe = options
        probe.path = candidate
        do throws(SyncError) {
            _ = try sync.checkConnection(SourceDefinition(name: "upload", connection: .csv(probe)))
        } catch {
            unlink(root + "/" + candidate)
            throw HTTPError.unprocessable("The file does not read as CSV.", fields: ["file": error.message])
        }
        guard rename(root + "/" + candidate, root + "/" + final) == 0 else {
            throw HTTPError(status: 500, code: "internal_error", message: "The upload could not be stored.")
        }
        return final
    }

    /// Stores `definition` over `current`, audits it as `action`, and answers with the source.
    private func save(
        _ definition: SourceDefinition, over current: Source, action: String, request: Request
    ) throws -> Response {
        let source = try sync.sources.update(id: current.id, to: definition)
        recordChange(action, source: source.name, request: request)
        let latest = try sync.queue.list(sourceID: source.id, limit: 1).first
        return try Response.json(SourceResource(source, latestRun: latest, detailed: true))
    }

    private func isAdmin(_ request: Request) throws -> Bool {
        try request.requirePrincipal().user.role == .admin
    }

    /// The stored definition with the top-level members of `changes` put over it.
    private func merged(_ definition: SourceDefinition, with changes: JSONValue) throws -> JSONValue {
        guard case .object(let members) = changes,
            case .object(var stored) = try JSONDecoder().decode(JSONValue.self, from: Data(definition.jsonText.utf8))
        else { throw HTTPError.badRequest("The body must be a JSON object.") }
        for (name, value) in members {
            stored[name] = value
        }
        return .object(stored)
    }

    private func recordChange(_ action: String, source: String, request: Request) {
        let actor = (try? request.requirePrincipal().user.username) ?? "anonymous"
        record(
            AuditEvent(actor: actor, action: action, target: "source:\(source)", outcome: .success), request: request)
    }

    private func record(_ event: AuditEvent, request: Request) {
        var event = event
        event.ip = request.client.address.description
        event.userAgent = String(request.client.userAgent.prefix(AuditEvent.userAgentLimit))
        audit.record(event)
    }
}

/// The outcome of a connection check.
struct ConnectionCheck: Encodable {
    let ok: Bool
    let message: String
}
