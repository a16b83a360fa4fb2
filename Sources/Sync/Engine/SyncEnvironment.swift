import Core
import Foundation

/// What every sync needs from its surroundings: where source files live, which hosts may be
/// reached, the environment secrets come from, and how connectors are made.
public struct SyncEnvironment: Sendable {
    /// The directory CSV and SQLite sources read from.
    public var importDirectory: ImportDirectory
    /// Which hosts REST sources may reach.
    public var egress: EgressPolicy
    /// The process environment, from which `SYNCLINE_SOURCE_…` secrets are read at sync time.
    public var variables: [String: String]
    /// Records per batch (and per transaction).
    public var batchSize: Int
    /// Makes the connector for a source's connection.
    public var makeConnector: @Sendable (SourceConnection) -> any Connector

    /// Creates an environment.
    public init(
        importDirectory: ImportDirectory, egress: EgressPolicy, variables: [String: String],
        batchSize: Int = ConnectorContext.defaultBatchSize,
        makeConnector: @escaping @Sendable (SourceConnection) -> any Connector
    ) {
        self.importDirectory = importDirectory
        self.egress = egress
        self.variables = variables
        self.batchSize = batchSize
        self.makeConnector = makeConnector
    }

    /// A connector context for one run or check, with a fresh secret resolver.
    func context(
        logger: Logger, cursorField: String?, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) -> ConnectorContext {
        ConnectorContext(
            secrets: SecretResolver(environment: variables), importDirectory: importDirectory, egress: egress,
            logger: logger, batchSize: batchSize, cursorField: cursorField, isCancelled: isCancelled)
    }
}
