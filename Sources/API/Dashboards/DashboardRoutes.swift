import Audit
import Core
import Dashboards
import Foundation
import HTTP
import Identity

/// `/api/v1/dashboards`: dashboards for everyone signed in, managed by admins, every widget's
/// result, cached until the next sync of its source commits, and for admins the SQL behind each.
public struct DashboardRoutes: Sendable {
    private let dashboards: DashboardService
    private let audit: any AuditRecorder

    /// Creates the routes over the dashboard service.
    public init(dashboards: DashboardService, audit: any AuditRecorder) {
        self.dashboards = dashboards
        self.audit = audit
    }

    private static let bodyLimit = 256 * 1024
    private static let notFound = ResponseDocumentation("No such dashboard.", schema: .errorBody)
    private static let invalid = ResponseDocumentation(
        "The definition is invalid, or a widget does not fit its source; fields name each problem by path, "
            + "such as widgets[2].metric.field.",
        schema: .errorBody)
    private static let taken = ResponseDocumentation("The name is taken.", schema: .errorBody)

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .get, "/api/v1/dashboards",
            RouteMetadata(
                access: .viewer, summary: "Every dashboard, by name, with its widgets.", tags: ["dashboards"],
                responses: [
                    200: ResponseDocumentation(
                        "The dashboards.",
                        schema: .object(properties: [("dashboards", .array(of: DashboardResource.schema))]))
                ])
        ) { request in
            try Response.json(["dashboards": try logged(request) { try dashboards.list() }.map(DashboardResource.init)])
        }
        router.add(
            .post, "/api/v1/dashboards",
            RouteMetadata(
                access: .admin, summary: "Create a dashboard; each widget is checked against its source.",
                tags: ["dashboards"], accepts: ["application/json"], bodyLimit: Self.bodyLimit,
                requestSchema: DashboardResource.definitionSchema,
                responses: [
                    201: ResponseDocumentation("Created.", schema: DashboardResource.schema), 409: Self.taken,
                    422: Self.invalid,
                ])
        ) { request in
            let definition = try DashboardDefinition(json: try JSONBody(request).json)
            let dashboard = try logged(request) { try dashboards.create(definition) }
            recordChange("dashboard.create", dashboard: dashboard.name, request: request)
            return try Response.json(DashboardResource(dashboard), status: 201)
        }
        router.add(
            .get, "/api/v1/dashboards/{id}",
            RouteMetadata(
                access: .viewer, summary: "One dashboard with its widgets.", tags: ["dashboards"],
                responses: [
                    200: ResponseDocumentation("The dashboard.", schema: DashboardResource.schema), 404: Self.notFound,
                ])
        ) { request in
            try Response.json(DashboardResource(try dashboard(request)))
        }
        router.add(
            .patch, "/api/v1/dashboards/{id}",
            RouteMetadata(
                access: .admin,
                summary: "Change a dashboard: the members given (name, description, widgets) replace the stored ones; "
                    + "widgets keep their ids by sending them back.",
                tags: ["dashboards"], accepts: ["application/json"], bodyLimit: Self.bodyLimit,
                requestSchema: DashboardResource.definitionSchema,
                responses: [
                    200: ResponseDocumentation("The dashboard as changed.", schema: DashboardResource.schema),
                    404: Self.notFound, 409: Self.taken, 422: Self.invalid,
                ])
        ) { request in
            let current = try dashboard(request)
            guard case .object(let changes) = try JSONBody(request).json,
                case .object(var members) = current.definition.json
            else { throw HTTPError.badRequest("The body must be a JSON object.") }
            members.merge(changes) { _, new in new }
            let definition = try DashboardDefinition(json: .object(members))
            let dashboard = try logged(request) { try dashboards.update(id: current.id, to: definition) }
            recordChange("dashboard.update", dashboard: dashboard.name, request: request)
            return try Response.json(DashboardResource(dashboard))
        }
        router.add(
            .delete, "/api/v1/dashboards/{id}",
            RouteMetadata(
                access: .admin, summary: "Delete a dashboard.", tags: ["dashboards"],
                responses: [204: ResponseDocumentation("Deleted."), 404: Self.notFound])
        ) { request in
            let dashboard = try dashboard(request)
            try logged(request) { try dashboards.delete(id: dashboard.id) }
            recordChange("dashboard.delete", dashboard: dashboard.name, request: request)
            return Response(status: 204)
        }
        router.add(
            .get, "/api/v1/dashboards/{id}/data",
            RouteMetadata(
                access: .viewer,
                summary: "Every widget's result, or its error when its source or fields are gone; cached results "
                    + "are reused until the next sync of their source commits.",
                tags: ["dashboards"],
                responses: [
                    200: ResponseDocumentation("The widgets in order.", schema: DashboardDataResource.schema),
                    404: Self.notFound,
                ])
        ) { request in
            let dashboard = try dashboard(request)
            let data = try logged(request) { try dashboards.data(for: dashboard) }
            return Response.json(DashboardDataResource.json(dashboard, data: data))
        }
        router.add(
            .get, "/api/v1/dashboards/{id}/queries",
            RouteMetadata(
                access: .admin,
                summary: "Every widget's SQL statement and parameters as the data route runs them on this store, "
                    + "or its error; for diagnosis, nothing is run.",
                tags: ["dashboards"],
                responses: [
                    200: ResponseDocumentation("The widgets in order.", schema: DashboardQueriesResource.schema),
                    404: Self.notFound,
                ])
        ) { request in
            let dashboard = try dashboard(request)
            let statements = try logged(request) { try dashboards.statements(for: dashboard) }
            return Response.json(
                DashboardQueriesResource.json(dashboard, dialect: dashboards.dialect, statements: statements))
        }
    }

    private func dashboard(_ request: Request) throws -> Dashboard {
        guard let id = Int64(try request.parameter("id")), id > 0,
            let dashboard = try logged(request, { try dashboards.find(id: id) })
        else { throw HTTPError.notFound("No such dashboard.") }
        return dashboard
    }

    /// Runs `body`, logging the database's error of a storage failure, which the client never sees.
    private func logged<T>(_ request: Request, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DashboardError where error.kind == .storage {
            request.logger.error("dashboard store failed", ["error": error.description])
            throw error
        }
    }

    private func recordChange(_ action: String, dashboard name: String, request: Request) {
        audit.record(
            AuditEvent(
                actor: (try? request.requirePrincipal().user.username) ?? "anonymous", action: action,
                target: "dashboard:\(name)", outcome: .success, ip: request.client.address.description,
                userAgent: request.client.userAgent))
    }
}
