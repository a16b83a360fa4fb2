/// A batch with everything storing it needs that does not depend on the table: its keys, the
/// records that are stored (the last of each key), each field's type and the highest cursor value.
///
/// It is worked out on the thread that reads the source, so the thread that stores batches, the
/// one a sync waits for, only fits the types to the table and writes.
struct PreparedBatch: Sendable {
    let batch: RecordBatch
    /// One key per record of ``batch``.
    let keys: [String]
    /// The records to store, in order: each key's last record, as a later record of the same key
    /// replaces an earlier one.
    let storedRecords: [Int]
    /// Per field of ``batch``, the narrowest column type that holds every value; nil for a field
    /// that is null throughout.
    let fieldTypes: [ColumnType?]
    /// The highest value of the cursor field, as text; nil without a cursor field or values.
    let highestCursor: String?

    /// Prepares `batch`; records of a source without key fields are numbered from `firstOrdinal`.
    init(_ batch: RecordBatch, keys: RecordKeys, firstOrdinal: Int64, cursorField: String?) throws(SyncError) {
        let keys = try keys.keys(of: batch, firstOrdinal: firstOrdinal)
        self.batch = batch
        self.keys = keys

        var lastIndexByKey: [String: Int] = [:]
        lastIndexByKey.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() { lastIndexByKey[key] = index }
        storedRecords = keys.indices.filter { lastIndexByKey[keys[$0]] == $0 }

        fieldTypes = batch.fieldNames.indices.map { field in
            var seen: ColumnType?
            for record in 0..<batch.count {
                guard let type = ColumnType.inferred(from: batch.value(record: record, field: field)) else { continue }
                seen = seen.map { $0.widened(with: type) } ?? type
                if seen == .text { break }
            }
            return seen
        }

        var highest: String?
        if let cursorField, let position = batch.existingPosition(ofField: cursorField) {
            for record in 0..<batch.count {
                highest = CursorValue.later(highest, CursorValue.text(of: batch.value(record: record, field: position)))
            }
        }
        highestCursor = highest
    }
}
