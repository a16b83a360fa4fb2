import Foundation
import HTTP
import Identity

/// `/api/v1/users`: user management for admins.
public struct UserRoutes: Sendable {
    private let identity: IdentityService

    /// Creates the routes over the identity service.
    public init(identity: IdentityService) {
        self.identity = identity
    }

    private static let bodyLimit = 8 * 1024
    private static let notFound = ResponseDocumentation("No such user.", schema: .errorBody)
    private static let invalid = ResponseDocumentation("A field is invalid.", schema: .errorBody)
    private static let conflict = ResponseDocumentation(
        "The username is taken, or the change would leave no enabled admin.", schema: .errorBody)

    /// Adds the routes to `router`.
    public func register(on router: inout Router) {
        router.add(
            .get, "/api/v1/users",
            RouteMetadata(
                access: .admin, summary: "Every user.", tags: ["users"],
                responses: [
                    200: ResponseDocumentation(
                        "The users, by username.",
                        schema: .object(properties: [("users", .array(of: UserResource.schema))], required: ["users"]))
                ])
        ) { _ in
            try Response.json(["users": try identity.users.list().map(UserResource.init)])
        }
        router.add(
            .post, "/api/v1/users",
            RouteMetadata(
                access: .admin, summary: "Create a user.", tags: ["users"], accepts: ["application/json"],
                bodyLimit: Self.bodyLimit,
                requestSchema: .object(
                    properties: [
                        ("username", .string()), ("password", .string()),
                        ("role", .string(allowed: Role.allCases.map(\.rawValue))),
                    ],
                    required: ["username", "password", "role"]),
                responses: [
                    201: ResponseDocumentation("Created.", schema: UserResource.schema), 409: Self.conflict,
                    422: Self.invalid,
                ],
                blocking: true)
        ) { request in
            var body = try JSONBody(request)
            let username = body.string("username", maxLength: 64)
            let password = body.string("password", maxLength: 1024)
            let role = body.choice("role", as: Role.self)
            try body.finish()
            let user = try identity.createUser(
                username: username!, password: password!, role: role!, actor: try actor(of: request),
                client: request.client)
            return try Response.json(UserResource(user), status: 201)
        }
        router.add(
            .get, "/api/v1/users/{id}",
            RouteMetadata(
                access: .admin, summary: "One user.", tags: ["users"],
                responses: [200: ResponseDocumentation("The user.", schema: UserResource.schema), 404: Self.notFound])
        ) { request in
            guard let user = try identity.users.find(id: try userID(request)) else { throw IdentityError.notFound }
            return try Response.json(UserResource(user))
        }
        router.add(
            .patch, "/api/v1/users/{id}",
            RouteMetadata(
                access: .admin, summary: "Change a user's role, disabled flag or password; sessions end at once.",
                tags: ["users"], accepts: ["application/json"], bodyLimit: Self.bodyLimit,
                requestSchema: .object(properties: [
                    ("role", .string(allowed: Role.allCases.map(\.rawValue))), ("disabled", .boolean()),
                    ("password", .string()),
                ]),
                responses: [
                    200: ResponseDocumentation("The user as changed.", schema: UserResource.schema),
                    404: Self.notFound, 409: Self.conflict, 422: Self.invalid,
                ],
                blocking: true)
        ) { request in
            let id = try userID(request)
            var body = try JSONBody(request)
            let role = body.choice("role", required: false, as: Role.self)
            let disabled = body.bool("disabled")
            let password = body.string("password", required: false, maxLength: 1024)
            try body.finish()
            let user = try identity.updateUser(
                id: id, role: role, disabled: disabled, password: password, actor: try actor(of: request),
                client: request.client)
            return try Response.json(UserResource(user))
        }
        router.add(
            .delete, "/api/v1/users/{id}",
            RouteMetadata(
                access: .admin, summary: "Delete a user.", tags: ["users"],
                responses: [204: ResponseDocumentation("Deleted."), 404: Self.notFound, 409: Self.conflict])
        ) { request in
            let id = try userID(request)
            guard id != (try request.requirePrincipal()).user.id else {
                throw IdentityError.conflict("You cannot delete your own account.")
            }
            _ = try identity.deleteUser(id: id, actor: try actor(of: request), client: request.client)
            return Response(status: 204)
        }
    }

    private func userID(_ request: Request) throws -> Int64 {
        guard let id = Int64(try request.parameter("id")), id > 0 else { throw IdentityError.notFound }
        return id
    }

    private func actor(of request: Request) throws -> String {
        try request.requirePrincipal().user.username
    }
}
