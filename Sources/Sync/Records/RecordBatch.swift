/// Records read from a source, sharing one table of field names.
///
/// Values are stored row by row in the order of ``fieldNames``. A field seen for the first time
/// extends the table; records appended before it simply have no value there and read as null,
/// so sources whose records vary in shape cost nothing extra.
public struct RecordBatch: Sendable {
    /// The names of every field seen in the batch, in order of first appearance.
    public private(set) var fieldNames: [String] = []
    private var positions: [String: Int] = [:]
    private var rows: [[RecordValue]] = []

    /// Creates an empty batch.
    public init() {}

    /// Creates a batch of `records` over `fieldNames`; each record lists values in that order.
    public init(fieldNames: [String], records: [[RecordValue]]) {
        for name in fieldNames { _ = position(ofField: name) }
        for record in records { append(record) }
    }

    /// The number of records.
    public var count: Int { rows.count }

    /// Whether the batch holds no record.
    public var isEmpty: Bool { rows.isEmpty }

    /// The position of the field `name`, added to the table when it is new.
    public mutating func position(ofField name: String) -> Int {
        if let position = positions[name] { return position }
        positions[name] = fieldNames.count
        fieldNames.append(name)
        return fieldNames.count - 1
    }

    /// The position of the field `name`, or nil when no record has it.
    public func existingPosition(ofField name: String) -> Int? {
        positions[name]
    }

    /// Appends a record whose values follow ``fieldNames``; it may be shorter than the table.
    public mutating func append(_ values: [RecordValue]) {
        rows.append(values)
    }

    /// The value of field `field` in record `record`; null where the record lacks the field.
    public func value(record: Int, field: Int) -> RecordValue {
        let values = rows[record]
        return field < values.count ? values[field] : .null
    }

    /// The values of record `record`, as many as it has.
    public func values(ofRecord record: Int) -> [RecordValue] {
        rows[record]
    }

    /// Removes every record, keeping the field table and the storage for reuse.
    public mutating func removeAllRecords() {
        rows.removeAll(keepingCapacity: true)
    }
}
