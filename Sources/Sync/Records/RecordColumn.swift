import Core

/// One data column of a source's record table, and the field it holds.
public struct RecordColumn: Sendable, Hashable, Codable {
    /// The field's name in the source's records.
    public var field: String
    /// The column's name in the table; the field's own name unless that cannot be a column.
    public var name: String
    /// What the column holds.
    public var type: ColumnType
    /// The column's place among the data columns, from 0.
    public var position: Int

    /// Creates a column description.
    public init(field: String, name: String, type: ColumnType, position: Int) {
        self.field = field
        self.name = name
        self.type = type
        self.position = position
    }
}

extension RecordColumn {
    /// Writes `{"field", "name", "type"}`, the column as every JSON answer describes it.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("field")
        writer.string(field)
        writer.key("name")
        writer.string(name)
        writer.key("type")
        writer.string(type.rawValue)
        writer.endObject()
    }
}

/// The names and quoting of record tables and their bookkeeping columns.
enum RecordSQL {
    /// The primary key, as text (several key fields are joined with U+001F).
    static let primaryKey = "__pk"
    /// When the record was first stored.
    static let firstSeen = "__first_seen"
    /// When the record last changed.
    static let lastUpdated = "__last_updated"
    /// The sync run that last changed it.
    static let syncRun = "__sync_run"
    /// When a full refresh found it gone from the source, for sources that mark deletions.
    static let deletedAt = "__deleted_at"

    /// The longest column name both databases keep whole (PostgreSQL's limit is 63 bytes).
    static let maximumNameBytes = 63

    /// `name` as a quoted identifier, safe for any text.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The name of the table holding source `sourceID`'s records, or its staging table.
    static func tableName(sourceID: Int64, staging: Bool) -> String {
        staging ? "records_\(sourceID)_staging" : "records_\(sourceID)"
    }

    /// A column name for `field` that differs from every name in `taken` (compared without case,
    /// as SQLite does) and from the bookkeeping columns.
    static func columnName(for field: String, taken: Set<String>) -> String {
        var base = field.replacingOccurrences(of: "\0", with: "")
        if base.hasPrefix("__") { base = "f" + base }
        if base.isEmpty { base = "field" }
        base = truncated(base, bytes: maximumNameBytes)
        var candidate = base
        var suffix = 2
        while taken.contains(candidate.lowercased()) {
            let ending = "_\(suffix)"
            candidate = truncated(base, bytes: maximumNameBytes - ending.utf8.count) + ending
            suffix += 1
        }
        return candidate
    }

    private static func truncated(_ text: String, bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        for character in text {
            guard result.utf8.count + String(character).utf8.count <= limit else { break }
            result.append(character)
        }
        return result
    }
}
