import Storage

/// Why a dashboard could not be stored, found or computed, or why one widget has no result.
///
/// Messages are written for the person building or reading the dashboard and never carry a
/// record value or a database detail; a storage failure keeps the database's error apart, for
/// the log only.
public struct DashboardError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable, Hashable {
        /// The definition is invalid, or a widget no longer fits its source's records;
        /// ``DashboardError/fields`` says where.
        case invalidDefinition = "invalid_definition"
        /// No such dashboard.
        case notFound = "not_found"
        /// A dashboard with the same name exists.
        case conflict
        /// The source a widget reads has been deleted.
        case sourceMissing = "source_missing"
        /// The store failed.
        case storage
    }

    /// What went wrong, broadly.
    public let kind: Kind
    /// One or two sentences safe to show.
    public let message: String
    /// Per-field problems by path, such as `widgets[2].metric.field`.
    public let fields: [String: String]
    /// The database's error, when the store failed; for the log, never for a client.
    public let storage: DatabaseError?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, fields: [String: String] = [:], storage: DatabaseError? = nil) {
        self.kind = kind
        self.message = message
        self.fields = fields
        self.storage = storage
    }

    /// The error as one log-safe line.
    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let storage { text += " (\(storage))" }
        return text
    }

    /// The same error with every field path put under `prefix`, such as `widgets[2]`.
    func nested(under prefix: String) -> DashboardError {
        let moved = Dictionary(uniqueKeysWithValues: fields.map { (prefix + "." + $0.key, $0.value) })
        return DashboardError(kind, message, fields: moved, storage: storage)
    }

    /// Runs `body`, turning whatever the storage layer throws into a ``DashboardError``.
    static func mapping<T>(_ body: () throws -> T) throws(DashboardError) -> T {
        do {
            return try body()
        } catch let error as DashboardError {
            throw error
        } catch let error as DatabaseError {
            throw DashboardError(.storage, "The database failed.", storage: error)
        } catch {
            throw DashboardError(.storage, "The database failed.")
        }
    }
}
