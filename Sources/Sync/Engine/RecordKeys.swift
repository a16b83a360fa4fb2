/// Works out each record's primary key text from the source's key fields.
struct RecordKeys {
    /// The key fields; empty for sources whose records have no identity.
    let fields: [String]

    /// Separates the values of a key of several fields; a control character no key field holds.
    static let separator = "\u{1F}"

    /// One key per record of `batch`; records of a source without key fields are numbered from
    /// `firstOrdinal` in the order read.
    func keys(of batch: RecordBatch, firstOrdinal: Int64) throws(SyncError) -> [String] {
        guard !fields.isEmpty else {
            return (0..<batch.count).map { String(firstOrdinal + Int64($0)) }
        }
        var positions: [Int] = []
        for field in fields {
            guard let position = batch.existingPosition(ofField: field) else {
                throw SyncError(.sourceData, "The records have no primary key field \(field).")
            }
            positions.append(position)
        }
        var keys: [String] = []
        keys.reserveCapacity(batch.count)
        for record in 0..<batch.count {
            var parts: [String] = []
            for (index, position) in positions.enumerated() {
                let value = batch.value(record: record, field: position)
                guard case let text? = CursorValue.text(of: value) ?? Self.booleanText(value) else {
                    throw SyncError(
                        .sourceData,
                        "A record has no usable value for the primary key field \(fields[index]) "
                            + "(record \(firstOrdinal + Int64(record)) of the run).")
                }
                parts.append(text)
            }
            keys.append(parts.count == 1 ? parts[0] : parts.joined(separator: Self.separator))
        }
        return keys
    }

    private static func booleanText(_ value: RecordValue) -> String? {
        if case .bool(let flag) = value { return flag ? "true" : "false" }
        return nil
    }
}
