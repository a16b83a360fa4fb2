/// Makes the connector for each kind of source.
public enum SourceConnectors {
    /// The connector that reads `connection`.
    @Sendable
    public static func make(_ connection: SourceConnection) -> any Connector {
        switch connection {
        case .rest(let options): RESTConnector(options: options)
        case .csv(let options): CSVConnector(options: options)
        case .postgres(let options): PostgresConnector(options: options)
        case .sqlite(let options): SQLiteConnector(options: options)
        }
    }
}
