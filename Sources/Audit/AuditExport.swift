import Core
import Foundation
import Storage

/// The formats the audit log exports to.
public enum AuditExportFormat: String, Sendable, Hashable, CaseIterable {
    /// RFC 4180 CSV with a header row and CRLF line ends; cells that a spreadsheet would run as
    /// a formula get a leading `'`.
    case csv
    /// One JSON object per line (JSON Lines); control characters are escaped, so no value can
    /// start a line of its own.
    case jsonLines
}

extension AuditReader {
    /// Writes the entries matching `filter`, oldest first, to `sink` in chunks of about
    /// `chunkSize` bytes, while the rows stream from the database; the whole log is never held.
    ///
    /// The bytes handed to `sink` are valid only during the call. A database connection is held
    /// until the export ends, so a slow sink holds it that long. Throws ``AuditError`` for the
    /// database, or whatever `sink` throws.
    public func export(
        _ filter: AuditFilter = AuditFilter(), as format: AuditExportFormat, chunkSize: Int = 64 * 1024,
        to sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var parameters: [DatabaseValue] = []
        let sql = "SELECT \(Self.columns) FROM audit_events WHERE \(filter.whereClause(&parameters)) ORDER BY id"
        var output = AuditExportBuffer(format: format, chunkSize: chunkSize)
        if format == .csv { try output.writeCSVHeader(to: sink) }
        do {
            try database.read { connection in
                try connection.query(sql, parameters) { (view: RowView) in
                    try output.write(AuditRowView(view: view), to: sink)
                }
            }
        } catch let error as DatabaseError {
            throw AuditError(.storage, message: "the audit export failed", storage: error)
        }
        try output.finish(to: sink)
    }
}

/// The bytes of an export not yet handed to the sink.
private struct AuditExportBuffer {
    let format: AuditExportFormat
    let chunkSize: Int
    private var bytes: [UInt8] = []

    init(format: AuditExportFormat, chunkSize: Int) {
        self.format = format
        self.chunkSize = max(chunkSize, 1)
        bytes.reserveCapacity(self.chunkSize + 4096)
    }

    mutating func writeCSVHeader(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let names = ["id", "occurred_at"] + AuditRowView.Column.allCases.map(\.name)
        bytes.append(contentsOf: names.joined(separator: ",").utf8)
        bytes.append(contentsOf: [0x0D, 0x0A])
        try drainIfFull(to: sink)
    }

    mutating func write(_ row: AuditRowView, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let id = row.id, let occurredAt = row.occurredAt else {
            throw AuditError(.corruptEntry, message: "an audit entry has a malformed id or time")
        }
        let time = AuditTime.text(milliseconds: AuditTime.milliseconds(occurredAt))
        switch format {
        case .csv: appendCSV(row, id: id, time: time)
        case .jsonLines: appendJSON(row, id: id, time: time)
        }
        try drainIfFull(to: sink)
    }

    mutating func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try sink($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    private mutating func drainIfFull(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if bytes.count >= chunkSize { try finish(to: sink) }
    }

    private mutating func appendCSV(_ row: AuditRowView, id: Int64, time: String) {
        bytes.append(contentsOf: String(id).utf8)
        bytes.append(UInt8(ascii: ","))
        bytes.append(contentsOf: time.utf8)
        for column in AuditRowView.Column.allCases {
            bytes.append(UInt8(ascii: ","))
            let text = row.text(column) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            if text.allSatisfy({ $0 < 0x80 }) {
                CSVCell.append(text, to: &bytes)
            } else {
                CSVCell.append(Array(String(decoding: text, as: UTF8.self).utf8), to: &bytes)
            }
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
    }

    private mutating func appendJSON(_ row: AuditRowView, id: Int64, time: String) {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key("id")
        writer.integer(id)
        writer.key("occurred_at")
        writer.string(time)
        for column in AuditRowView.Column.allCases {
            writer.key(column.name)
            let text = row.text(column) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            // Details go out as an object when they parse as one; anything else stays a string,
            // so a row edited in the database cannot break the line.
            if column == .details, let details = AuditDetails.decode(text) {
                writer.beginObject()
                for key in details.keys.sorted() {
                    writer.key(key)
                    writer.string(details[key]!)
                }
                writer.endObject()
            } else {
                writer.string(utf8: text)
            }
        }
        writer.endObject()
        bytes.append(contentsOf: writer.bytes)
        bytes.append(0x0A)
    }
}
