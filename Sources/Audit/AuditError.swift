import Storage

/// An error from the audit layer.
///
/// Messages name ids and kinds of failure, never the content of an audit event, so they are safe
/// to log.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in the categories callers act on.
    public enum Kind: Sendable, Hashable {
        /// The database failed; ``AuditError/storage`` holds its error.
        case storage
        /// The `audit_chain` row fails its MAC: it was edited, or the key is not the one it was
        /// written with. Nothing is appended to or pruned from such a chain.
        case headTampered
        /// A stored entry could not be read back (a malformed time or details object).
        case corruptEntry
        /// A query asked for something out of range, such as a page of 0 rows.
        case invalidQuery
    }

    /// The category of the error.
    public let kind: Kind
    /// A log-safe explanation.
    public let message: String
    /// The database's error, when the storage layer failed.
    public let storage: DatabaseError?

    /// Creates an error of `kind`.
    public init(_ kind: Kind, message: String, storage: DatabaseError? = nil) {
        self.kind = kind
        self.message = message
        self.storage = storage
    }

    /// The error as one log-safe line.
    public var description: String {
        if let storage { return "\(message): \(storage)" }
        return message
    }

    /// Runs `body`, turning whatever the storage layer throws into an ``AuditError``.
    static func mapping<T>(_ body: () throws -> T) throws(AuditError) -> T {
        do {
            return try body()
        } catch let error as AuditError {
            throw error
        } catch let error as DatabaseError {
            throw AuditError(.storage, message: "the audit log's database failed", storage: error)
        } catch {
            throw AuditError(.storage, message: "the audit log's database failed: \(error)")
        }
    }
}
