import Core
import Foundation
import HTTP
import Storage
import Synchronization

/// Health, readiness, metrics and the OpenAPI document.
final class SystemRoutes: Sendable {
    private let configuration: Configuration
    private let metrics: MetricsRegistry
    private let migrator: Migrator
    /// Filled once the router is complete, since the document describes every route.
    let openAPIDocument = Mutex<[UInt8]>([])

    init(configuration: Configuration, metrics: MetricsRegistry, migrator: Migrator) {
        self.configuration = configuration
        self.metrics = metrics
        self.migrator = migrator
    }

    func register(on router: inout Router) {
        router.add(
            .get, "/healthz",
            RouteMetadata(
                access: .anyone, summary: "Liveness: the process answers.", tags: ["operations"],
                responses: [200: ResponseDocumentation("Alive.", schema: statusSchema)])
        ) { _ in
            Response.json(Array(#"{"status":"ok"}"#.utf8))
        }
        router.add(
            .get, "/readyz",
            RouteMetadata(
                access: .anyone, summary: "Readiness: the database answers and its schema is current.",
                tags: ["operations"],
                responses: [
                    200: ResponseDocumentation("Ready.", schema: statusSchema),
                    503: ResponseDocumentation("Not ready.", schema: statusSchema),
                ])
        ) { [self] _ in
            readiness()
        }
        router.add(
            .get, "/metrics",
            RouteMetadata(
                access: .admin,
                summary: "Prometheus metrics; readable by admins and with SYNCLINE_METRICS_TOKEN as bearer token.",
                tags: ["operations"],
                responses: [
                    200: ResponseDocumentation(
                        "Metrics in the Prometheus text format.",
                        contentType: "text/plain")
                ])
        ) { [self] _ in
            Response.text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.add(
            .get, "/api/v1/openapi.json",
            RouteMetadata(
                access: .viewer, summary: "This API's OpenAPI 3.1 document.", tags: ["meta"])
        ) { [self] _ in
            Response.json(openAPIDocument.withLock { $0 })
        }
    }

    private var statusSchema: JSONSchema {
        .object(
            properties: [
                ("status", .string(allowed: ["ok", "ready", "unavailable"])),
                ("problems", .array(of: .string())),
            ],
            required: ["status"])
    }

    private func readiness() -> Response {
        var problems: [String] = []
        do {
            let status = try migrator.status()
            if !status.pending.isEmpty {
                problems.append("\(status.pending.count) migrations pending")
            }
        } catch {
            problems.append("database unreachable")
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("status")
        writer.string(problems.isEmpty ? "ready" : "unavailable")
        if !problems.isEmpty {
            writer.key("problems")
            writer.beginArray()
            for problem in problems {
                writer.string(problem)
            }
            writer.endArray()
        }
        writer.endObject()
        return Response.json(writer.bytes, status: problems.isEmpty ? 200 : 503)
    }
}
