import Foundation
import HTTP
import Identity

/// A user as the API shows it; the password hash never leaves the server.
struct UserResource: Encodable {
    let id: Int64
    let username: String
    let role: String
    let disabled: Bool
    let createdAt: Date
    let updatedAt: Date

    init(_ user: User) {
        id = user.id
        username = user.username
        role = user.role.rawValue
        disabled = user.disabled
        createdAt = user.createdAt
        updatedAt = user.updatedAt
    }

    static let schema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("username", .string()), ("role", .string(allowed: Role.allCases.map(\.rawValue))),
            ("disabled", .boolean()), ("createdAt", .string(format: "date-time")),
            ("updatedAt", .string(format: "date-time")),
        ],
        required: ["id", "username", "role", "disabled", "createdAt", "updatedAt"])
}
