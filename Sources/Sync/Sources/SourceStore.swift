import Foundation
import Storage

/// Keeps sources in the control database.
public struct SourceStore: Sendable {
    private let database: any Database

    /// Creates a store over `database`.
    public init(database: any Database) {
        self.database = database
    }

    /// Every source, by name.
    public func list() throws -> [Source] {
        try database.read { connection in
            try connection.query("SELECT \(Source.columns) FROM sources ORDER BY name, id").map(Source.init)
        }
    }

    /// The source with `id`, or nil.
    public func find(id: Int64) throws -> Source? {
        try database.read { connection in
            try connection.queryOne("SELECT \(Source.columns) FROM sources WHERE id = $1", [.integer(id)])
                .map(Source.init)
        }
    }

    /// The source named `name`, or nil.
    public func find(name: String) throws -> Source? {
        try database.read { connection in
            try connection.queryOne("SELECT \(Source.columns) FROM sources WHERE name = $1", [.text(name)])
                .map(Source.init)
        }
    }

    /// Stores a new source; throws a conflict when the name is taken.
    public func create(_ definition: SourceDefinition, now: Date = Date()) throws -> Source {
        let next = definition.schedule.map { $0.nextRun(after: now) }
        return try database.transaction { connection in
            guard try connection.queryOne("SELECT 1 FROM sources WHERE name = $1", [.text(definition.name)]) == nil
            else { throw SyncError(.conflict, "A source named \(definition.name) exists already.") }
            let row = try connection.queryOne(
                """
                INSERT INTO sources (name, kind, definition, next_sync_at, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $5) RETURNING \(Source.columns)
                """,
                [
                    .text(definition.name), .text(definition.kind.rawValue), .text(definition.jsonText),
                    DatabaseValue(next), .timestamp(now),
                ])
            return try Source(row: row!)
        }
    }

    /// Replaces a source's definition; the schedule restarts from now when it changed.
    ///
    /// Changing the kind or the primary key would leave the stored records meaningless, so the
    /// caller decides whether to allow it; this store only keeps names unique.
    public func update(id: Int64, to definition: SourceDefinition, now: Date = Date()) throws -> Source {
        try database.transaction { connection in
            guard
                let current = try connection.queryOne(
                    "SELECT \(Source.columns) FROM sources WHERE id = $1", [.integer(id)]
                ).map(Source.init)
            else { throw SyncError(.notFound, "No such source.") }
            if definition.name != current.name,
                try connection.queryOne("SELECT 1 FROM sources WHERE name = $1", [.text(definition.name)]) != nil
            {
                throw SyncError(.conflict, "A source named \(definition.name) exists already.")
            }
            let next =
                definition.schedule == current.definition.schedule
                ? current.nextSyncAt : definition.schedule.map { $0.nextRun(after: now) }
            let row = try connection.queryOne(
                """
                UPDATE sources SET name = $1, kind = $2, definition = $3, next_sync_at = $4, updated_at = $5
                WHERE id = $6 RETURNING \(Source.columns)
                """,
                [
                    .text(definition.name), .text(definition.kind.rawValue), .text(definition.jsonText),
                    DatabaseValue(next), .timestamp(now), .integer(id),
                ])
            return try Source(row: row!)
        }
    }

    /// Deletes a source, its records and its sync history; refused while a sync is queued or running.
    public func delete(id: Int64) throws {
        try database.transaction { connection in
            guard try connection.queryOne("SELECT 1 FROM sources WHERE id = $1", [.integer(id)]) != nil else {
                throw SyncError(.notFound, "No such source.")
            }
            if try connection.queryOne(
                "SELECT 1 FROM sync_runs WHERE source_id = $1 AND status IN ('queued', 'running')", [.integer(id)])
                != nil
            {
                throw SyncError(.conflict, "A sync of this source is queued or running; cancel it first.")
            }
            for staging in [false, true] {
                try RecordTable.load(sourceID: id, staging: staging, on: connection).drop(on: connection)
            }
            try connection.execute("DELETE FROM sync_runs WHERE source_id = $1", [.integer(id)])
            try connection.execute("DELETE FROM sources WHERE id = $1", [.integer(id)])
        }
    }

    /// The data version of each source in `sourceIDs` that exists, read in one query.
    ///
    /// The version grows whenever a sync commits records of the source (every incremental batch that
    /// changed any, and the end of every successful run), so a result computed from its records
    /// stays current while the version stays the same, on every instance sharing the database.
    public func dataVersions(sourceIDs: Set<Int64>) throws -> [Int64: Int64] {
        guard !sourceIDs.isEmpty else { return [:] }
        let ids = sourceIDs.sorted()
        let placeholders = ids.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        return try database.read { connection in
            var versions: [Int64: Int64] = [:]
            for row in try connection.query(
                "SELECT id, data_version FROM sources WHERE id IN (\(placeholders))", ids.map { .integer($0) })
            {
                versions[try row.int(0)] = try row.int(1)
            }
            return versions
        }
    }

    /// The columns of a source's record table, in order.
    public func columns(sourceID: Int64) throws -> [RecordColumn] {
        try database.read { connection in
            try RecordTable.load(sourceID: sourceID, staging: false, on: connection).columns
        }
    }

    /// The fields of a source's records whose columns have a sort index.
    public func sortIndexedFields(sourceID: Int64) throws -> Set<String> {
        try database.read { connection in
            Set(try RecordTable.load(sourceID: sourceID, staging: false, on: connection).sortIndexes.keys)
        }
    }
}
