import Core
import Foundation

/// Reads records from one kind of source.
///
/// A connector is made from a source's options and holds no state between calls; everything a
/// sync must remember lives in the ``SyncCheckpoint`` it hands back with each batch.
public protocol Connector: Sendable {
    /// Reaches the source with its credentials and reads as little as possible; returns a short
    /// description of what answered, or throws why it could not.
    func checkConnection(context: ConnectorContext) throws(SyncError) -> String

    /// Reads records from `checkpoint` on, in batches of about `context.batchSize`.
    ///
    /// `checkpoint.since` holds the incremental cursor value to read from (nil reads everything),
    /// and `checkpoint.position` where a previous attempt of the same run stopped (nil starts at
    /// the beginning). After each batch, `deliver` receives the records and the checkpoint from
    /// which reading would continue after them; an error `deliver` throws stops the read and is
    /// rethrown. Between batches the connector checks `context.isCancelled`.
    func read(
        from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError)
}

/// Where a run stands in its source, saved with every batch it commits.
public struct SyncCheckpoint: Sendable, Hashable, Codable {
    /// The incremental cursor value this run reads from; nil reads every record.
    ///
    /// Records whose cursor is at or after it are read.
    public var since: String?
    /// Where the next batch starts, in the connector's own terms; nil means the start.
    ///
    /// A page number, offset, token, URL or key. A connector that cannot resume mid-way leaves
    /// it nil.
    public var position: String?

    /// Creates a checkpoint.
    public init(since: String? = nil, position: String? = nil) {
        self.since = since
        self.position = position
    }
}

/// What a connector may use while it reads: secrets, the import directory, the egress policy,
/// a logger and a way to learn that the run was cancelled.
public struct ConnectorContext: Sendable {
    /// Reads the `SYNCLINE_SOURCE_…` variables a source names, and redacts their values.
    public var secrets: SecretResolver
    /// The directory CSV and SQLite sources read their files from.
    public var importDirectory: ImportDirectory
    /// Which hosts REST sources may reach.
    public var egress: EgressPolicy
    /// Logs at debug level for detail; never a record, a secret or a full URL with credentials.
    public var logger: Logger
    /// The number of records a connector should aim to deliver per batch.
    public var batchSize: Int
    /// Records per batch unless configured otherwise.
    ///
    /// A batch is stored in one transaction, and five thousand rows a transaction load a file
    /// about a tenth faster than one thousand.
    public static let defaultBatchSize = 5000
    /// The field whose values are the incremental cursor, when the sync is incremental; SQL
    /// connectors filter and order by it, REST and CSV connectors leave filtering to the source
    /// or the engine.
    public var cursorField: String?
    /// True once the run has been cancelled or must stop.
    public var isCancelled: @Sendable () -> Bool

    /// Creates a context.
    public init(
        secrets: SecretResolver, importDirectory: ImportDirectory, egress: EgressPolicy, logger: Logger,
        batchSize: Int = defaultBatchSize, cursorField: String? = nil,
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.secrets = secrets
        self.importDirectory = importDirectory
        self.egress = egress
        self.logger = logger
        self.batchSize = batchSize
        self.cursorField = cursorField
        self.isCancelled = isCancelled
    }

    /// Throws ``SyncError/Kind/cancelled`` once the run has been cancelled.
    public func checkCancelled() throws(SyncError) {
        if isCancelled() { throw SyncError(.cancelled, "The sync was cancelled.") }
    }
}
