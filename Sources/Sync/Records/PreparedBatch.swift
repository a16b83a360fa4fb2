import Foundation

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
    /// Per field whose type is timestamp, each record's time, read once here (nil where null);
    /// nil for other fields.
    let fieldTimes: [[Date?]?]
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

        var fieldTypes: [ColumnType?] = []
        var fieldTimes: [[Date?]?] = []
        for field in batch.fieldNames.indices {
            var seen: ColumnType?
            var times = [Date?](repeating: nil, count: batch.count)
            for record in 0..<batch.count {
                let value = batch.value(record: record, field: field)
                let type: ColumnType
                if case .text(let text) = value {
                    let inferred = ColumnType.inferred(fromText: text)
                    (type, times[record]) = inferred
                } else {
                    guard let inferred = ColumnType.inferred(from: value) else { continue }
                    type = inferred
                }
                seen = seen.map { $0.widened(with: type) } ?? type
                if seen == .text { break }
            }
            fieldTypes.append(seen)
            fieldTimes.append(seen == .timestamp ? times : nil)
        }
        self.fieldTypes = fieldTypes
        self.fieldTimes = fieldTimes

        var highest: String?
        if let cursorField, let position = batch.existingPosition(ofField: cursorField) {
            for record in 0..<batch.count {
                highest = CursorValue.later(highest, CursorValue.text(of: batch.value(record: record, field: position)))
            }
        }
        highestCursor = highest
    }
}
