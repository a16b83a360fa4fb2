import Storage

/// A source's live record table as SQL written outside this layer reads it: the quoted table
/// name, the data columns with their types, and whether the table exists yet.
///
/// Queries built on it must take identifiers only from ``columns`` (quoted with ``quote(_:)``),
/// bind every value, and leave out rows whose ``quotedDeletedAt`` column is set.
public struct RecordTableSchema: Sendable, Hashable {
    /// The source whose records the table holds.
    public let sourceID: Int64
    /// The data columns, in order.
    public let columns: [RecordColumn]
    /// Whether the table exists; it does not before the source's first sync.
    public let exists: Bool

    /// The table's name, quoted.
    public var quotedTableName: String {
        RecordSQL.quote(RecordSQL.tableName(sourceID: sourceID, staging: false))
    }

    /// The quoted bookkeeping column that is set on records a full refresh no longer found.
    public static let quotedDeletedAt = RecordSQL.quote(RecordSQL.deletedAt)

    /// The quoted bookkeeping column holding each record's key, unique within the table, which
    /// orders records whose other values tie.
    public static let quotedPrimaryKey = RecordSQL.quote(RecordSQL.primaryKey)

    /// `name` as a quoted SQL identifier, safe for any text.
    public static func quote(_ name: String) -> String {
        RecordSQL.quote(name)
    }

    /// The column holding `field`, if the table has one.
    public func column(forField field: String) -> RecordColumn? {
        columns.first { $0.field == field }
    }

    /// Reads the schema of source `sourceID`'s live table on `connection`.
    public static func load(sourceID: Int64, on connection: any DatabaseConnection) throws -> RecordTableSchema {
        let table = try RecordTable.load(sourceID: sourceID, staging: false, on: connection)
        return RecordTableSchema(sourceID: sourceID, columns: table.columns, exists: try table.exists(on: connection))
    }
}
