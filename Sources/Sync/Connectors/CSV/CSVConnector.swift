import Foundation

/// Reads a CSV file under the import directory, inferring each value's type from its text.
///
/// Every record of the file is read on every sync: a file has no cursor to filter by, so an
/// incremental sync passes all of them on and the engine upserts them by primary key. Checkpoints
/// carry the ``CSVPosition`` of the next record, so a resumed run seeks straight to it.
public struct CSVConnector: Connector {
    /// How the file is read.
    public let options: CSVOptions

    /// Creates a connector for `options`.
    public init(options: CSVOptions) {
        self.options = options
    }

    /// Opens the file and reads its header; returns its name, column count and size.
    public func checkConnection(context: ConnectorContext) throws(SyncError) -> String {
        let reader = try open(context)
        let columns = try reader.readColumnNames(fromHeader: options.hasHeader)
        let count = columns.count == 1 ? "1 column" : "\(columns.count) columns"
        return "\(options.path): \(count), \(CSVReader.describeSize(reader.fileSize))"
    }

    /// Reads the records from the start of the file, or from the position of `checkpoint`.
    ///
    /// The header is read from the start of the file first either way, so a resumed run has the
    /// same column names; `checkpoint.since` is passed on unchanged.
    public func read(
        from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        context.logger.debug("reading a CSV file", ["path": options.path, "position": checkpoint.position ?? "start"])
        let reader = try open(context)
        let names = try reader.readColumnNames(fromHeader: options.hasHeader)
        if let text = checkpoint.position {
            guard let position = CSVPosition(text), position.offset >= reader.position.offset else {
                throw SyncError(.sourceData, "The checkpoint position \"\(text)\" is not a record of \(options.path).")
            }
            try reader.seek(to: position)
        }

        let batchSize = max(context.batchSize, 1)
        var finished = false
        while !finished {
            try context.checkCancelled()
            var batch = RecordBatch(fieldNames: names, records: [])
            while batch.count < batchSize {
                guard try reader.nextRecord() else {
                    finished = true
                    break
                }
                batch.append(try Self.values(of: reader))
            }
            guard !batch.isEmpty else { break }
            try deliver(batch, SyncCheckpoint(since: checkpoint.since, position: reader.position.description))
        }
    }

    /// The typed values of the reader's current record.
    private static func values(of reader: CSVReader) throws(SyncError) -> [RecordValue] {
        var values: [RecordValue] = []
        values.reserveCapacity(reader.fieldCount)
        for index in 0..<reader.fieldCount {
            if let scalar = reader.withBytes(ofField: index, RecordValue.scalar(fromCSV:)) {
                values.append(scalar)
            } else {
                values.append(.text(try reader.string(ofField: index)))
            }
        }
        return values
    }

    /// Resolves the path inside the import directory and opens a reader at the start of the file.
    private func open(_ context: ConnectorContext) throws(SyncError) -> CSVReader {
        let delimiter = Array(options.delimiter.utf8)
        guard delimiter.count == 1 else {
            throw SyncError(.configuration, "The delimiter must be one ASCII character.")
        }
        let path = try context.importDirectory.resolve(options.path)
        return try CSVReader(path: path, name: options.path, delimiter: delimiter[0])
    }
}
