import Storage

/// Why a source could not be defined, reached or synced.
///
/// Messages are written for the admin who reads them in the sync history. They never carry a
/// secret: connectors redact the values of the variables they read before an error leaves them.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable, Hashable {
        /// The definition is invalid; ``SyncError/fields`` says where.
        case invalidDefinition = "invalid_definition"
        /// Something the definition refers to is missing or refused: a variable, a file, a host.
        case configuration
        /// The source could not be reached or refused the request.
        case connection
        /// The source answered with data Syncline cannot read (malformed JSON, a broken CSV line).
        case sourceData = "source_data"
        /// The run was cancelled.
        case cancelled
        /// Another instance took the run over after this one's lease expired.
        case leaseLost = "lease_lost"
        /// The store failed.
        case storage
        /// A records query is malformed; ``SyncError/fields`` says which parameter.
        case invalidQuery = "invalid_query"
        /// No such source or sync run.
        case notFound = "not_found"
        /// The request clashes with the current state: a name taken, a sync already running.
        case conflict
    }

    /// What went wrong, broadly.
    public let kind: Kind
    /// One or two sentences for the admin.
    public let message: String
    /// Per-field problems of an invalid definition, by dotted path.
    public let fields: [String: String]

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, fields: [String: String] = [:]) {
        self.kind = kind
        self.message = message
        self.fields = fields
    }

    /// The message, prefixed by the kind.
    public var description: String {
        "\(kind.rawValue): \(message)"
    }

    /// A store failure, described without bound values.
    static func storage(_ error: DatabaseError) -> SyncError {
        SyncError(.storage, "The database failed: \(error)")
    }
}
