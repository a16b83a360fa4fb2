import Foundation
import Storage

/// A source as stored: its definition and where its syncs stand.
public struct Source: Sendable, Hashable {
    /// The source's id, used in URLs and table names.
    public let id: Int64
    /// What to read and how.
    public var definition: SourceDefinition
    /// The incremental cursor value committed by the last successful sync; nil before the first.
    public var cursor: String?
    /// Records in the source's table, not counting those marked deleted.
    public var recordCount: Int64
    /// When the schedule next calls for a sync; nil without a schedule.
    public var nextSyncAt: Date?
    /// When a sync last finished successfully.
    public var lastSyncedAt: Date?
    /// When the source was created.
    public let createdAt: Date
    /// When the definition last changed.
    public var updatedAt: Date

    /// The source's name.
    public var name: String { definition.name }

    static let columns =
        "id, definition, cursor, record_count, next_sync_at, last_synced_at, created_at, updated_at"

    init(row: Row) throws {
        id = try row.int(0)
        do {
            definition = try SourceDefinition(jsonText: Array(try row.string(1).utf8))
        } catch {
            throw SyncError(.storage, "Source \(try row.int(0)) has a stored definition that no longer reads.")
        }
        cursor = try row.optionalString(2)
        recordCount = try row.int(3)
        nextSyncAt = try row.optionalDate(4)
        lastSyncedAt = try row.optionalDate(5)
        createdAt = try row.date(6)
        updatedAt = try row.date(7)
    }
}
