import Foundation
import Storage

/// The denylist of signed-out tokens, by `jti`, kept until each token would have expired anyway.
///
/// It lives in the control database so that every instance sharing it refuses the token.
public struct RevocationStore: Sendable {
    private let database: any Database

    /// Creates a store over the migrated control database.
    public init(database: any Database) {
        self.database = database
    }

    /// Denylists token `id` until `expiresAt`; revoking twice is harmless.
    public func revoke(tokenID id: String, expiresAt: Date) throws {
        try database.write { connection in
            try connection.execute(
                """
                INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2)
                ON CONFLICT (jti) DO NOTHING
                """,
                [.text(id), .timestamp(expiresAt)])
        }
    }

    /// Removes entries whose tokens have expired, since those are refused by their `exp` alone.
    @discardableResult
    public func prune(now: Date = Date()) throws -> Int {
        try database.write { connection in
            try connection.execute("DELETE FROM revoked_tokens WHERE expires_at < $1", [.timestamp(now)])
        }
    }
}
