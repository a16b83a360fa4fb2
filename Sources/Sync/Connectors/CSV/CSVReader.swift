import Foundation

/// Reads the records of a CSV file (RFC 4180) one at a time, a chunk of the file in memory.
///
/// Fields are separated by a one-byte delimiter and records by CRLF, LF or a lone CR. A field may
/// be enclosed in double quotes, and then holds delimiters, line breaks and doubled quotes (`""`
/// for one `"`). A UTF-8 byte order mark at the start of the file is skipped. Lines with no bytes
/// at all are skipped wherever they appear, so a trailing line break (or several) adds no record.
///
/// Line numbers count physical lines from 1, line breaks inside quoted fields included, so an
/// error names the line an editor shows. After ``readColumnNames(fromHeader:)`` every record must
/// have as many fields as the header (or the first record); one that does not stops the read.
///
/// The current record's fields are views into the read buffer, valid until the next call to
/// ``nextRecord()`` or ``seek(to:)``. Not `Sendable`: it owns an open file and its buffer.
public final class CSVReader {
    /// The bytes read from the file at a time, unless told otherwise: 256 KiB.
    public static let defaultChunkSize = 256 * 1024
    /// The longest record accepted, unless told otherwise: 64 MiB.
    ///
    /// A longer one is most likely a quote left open, which would otherwise pull the rest of the
    /// file into memory.
    public static let defaultMaximumRecordSize = 64 * 1024 * 1024

    private struct Field {
        var start: Int
        var end: Int
        var hasDoubledQuotes: Bool
    }

    private enum Outcome {
        case record(next: Int, lineBreaks: Int)
        case needsMoreData
    }

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private let file: ReadOnlyFile
    private let delimiter: UInt8
    private let maximumRecordSize: Int
    /// The read buffer; `bytes[start..<end]` holds file bytes from offset `bufferOffset + start`.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var bufferOffset = 0
    private var start = 0
    private var end = 0
    private var reachedEndOfFile = false
    private var nextLine = 1
    private var fields: [Field] = []
    private var expectedFieldCount: Int?
    private var fieldCountOrigin = ""

    /// The physical line the current record starts on.
    public private(set) var line = 0

    /// Opens the file at `path` and positions the reader at its first record.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - name: How errors name the file; the path when nil.
    ///   - delimiter: The byte between fields; not a quote, CR or LF.
    ///   - chunkSize: The bytes read from the file at a time.
    ///   - maximumRecordSize: The longest record accepted, in bytes.
    public init(
        path: String, name: String? = nil, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = defaultChunkSize,
        maximumRecordSize: Int = defaultMaximumRecordSize
    ) throws(SyncError) {
        guard ![Self.quote, Self.lineFeed, Self.carriageReturn].contains(delimiter) else {
            throw SyncError(.configuration, "The delimiter cannot be a quote or a line break.")
        }
        self.file = try ReadOnlyFile(path: path, name: name ?? path)
        self.delimiter = delimiter
        self.capacity = max(chunkSize, 1)
        self.maximumRecordSize = max(maximumRecordSize, capacity)
        self.bytes = .allocate(capacity: capacity)
        try skipByteOrderMark()
    }

    deinit {
        bytes.deallocate()
    }

    /// The file's size in bytes when it was opened.
    public var fileSize: Int { file.size }

    /// Where the record after the current one starts.
    public var position: CSVPosition {
        CSVPosition(offset: bufferOffset + start, line: nextLine)
    }

    /// The number of fields of the current record.
    public var fieldCount: Int { fields.count }

    /// Reads the column names and from then on refuses records with another number of fields.
    ///
    /// With `fromHeader`, the first record is the header: each name is trimmed of surrounding
    /// whitespace, and an empty name or one that repeats another (ignoring case, as SQL column
    /// names do) is refused rather than renamed, so a column never silently changes name when the
    /// file does. Without it, the columns are named `column1`, `column2`, … after the first
    /// record, which stays unread. An empty file then has no columns; with a header it is refused.
    public func readColumnNames(fromHeader: Bool) throws(SyncError) -> [String] {
        let first = position
        guard try nextRecord() else {
            guard !fromHeader else { throw SyncError(.sourceData, "\(file.name) is empty; it has no header line.") }
            return []
        }
        expectedFieldCount = fieldCount
        guard fromHeader else {
            fieldCountOrigin = "the first line has"
            try seek(to: first)
            return (1...fieldCount).map { "column\($0)" }
        }
        fieldCountOrigin = "the header has"
        var names: [String] = []
        var seen: [String: Int] = [:]
        for index in 0..<fieldCount {
            let name = try string(ofField: index).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else {
                throw SyncError(.sourceData, "Column \(index + 1) of the header (line \(line)) has no name.")
            }
            if let earlier = seen[name.lowercased()] {
                throw SyncError(
                    .sourceData,
                    "The header (line \(line)) names \"\(name)\" twice: columns \(earlier + 1) and \(index + 1).")
            }
            seen[name.lowercased()] = index
            names.append(name)
        }
        return names
    }

    /// Moves to `position`, a value of ``position`` taken earlier from the same file.
    public func seek(to position: CSVPosition) throws(SyncError) {
        guard position.offset <= file.size else {
            throw SyncError(.sourceData, "\(file.name) is shorter than when the run began; it changed meanwhile.")
        }
        bufferOffset = position.offset
        start = 0
        end = 0
        reachedEndOfFile = false
        nextLine = position.line
        if position.offset == 0 { try skipByteOrderMark() }
    }

    /// Advances to the next record; false at the end of the file.
    public func nextRecord() throws(SyncError) -> Bool {
        while true {
            if start == end {
                if reachedEndOfFile { return false }
                try refill()
                continue
            }
            let outcome = try parseRecord(isFinal: reachedEndOfFile)
            guard case .record(let next, let lineBreaks) = outcome else {
                try refill()
                continue
            }
            let isBlankLine = fields.count == 1 && fields[0].start == start && fields[0].end == start && next > start
            if !isBlankLine { line = nextLine }
            nextLine += lineBreaks
            start = next
            if isBlankLine { continue }
            removeDoubledQuotes()
            if let expectedFieldCount, fields.count != expectedFieldCount {
                let count = fields.count == 1 ? "1 field" : "\(fields.count) fields"
                throw SyncError(.sourceData, "line \(line) has \(count); \(fieldCountOrigin) \(expectedFieldCount)")
            }
            return true
        }
    }

    /// Calls `body` with the bytes of field `index` of the current record, quotes removed.
    public func withBytes<T, E: Error>(
        ofField index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> T
    ) throws(E) -> T {
        let field = fields[index]
        return try body(UnsafeBufferPointer(start: bytes + field.start, count: field.end - field.start))
    }

    /// The text of field `index` of the current record; throws when it is not valid UTF-8.
    public func string(ofField index: Int) throws(SyncError) -> String {
        let text = withBytes(ofField: index) { bytes in
            // ASCII, the usual field, is valid UTF-8 as it is and takes the cheaper conversion.
            Self.isASCII(bytes) ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
        }
        guard let text else {
            throw SyncError(.sourceData, "line \(line) holds text that is not valid UTF-8 (field \(index + 1)).")
        }
        return text
    }

    /// Whether every byte is below 0x80, tested eight at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Skips the UTF-8 byte order mark when the buffer holds the start of the file.
    private func skipByteOrderMark() throws(SyncError) {
        while end - start < 3 && !reachedEndOfFile { try refill() }
        guard end - start >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBB, bytes[start + 2] == 0xBF else { return }
        start += 3
    }

    /// Reads more of the file into the buffer.
    ///
    /// The unread bytes move to the front first, and the buffer grows when they fill it.
    private func refill() throws(SyncError) {
        if start > 0 {
            memmove(bytes, bytes + start, end - start)
            bufferOffset += start
            end -= start
            start = 0
        }
        if end == capacity {
            guard capacity < maximumRecordSize else {
                throw SyncError(
                    .sourceData,
                    "line \(nextLine) starts a record longer than \(Self.describeSize(maximumRecordSize)); "
                        + "a quote may be missing its closing quote.")
            }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: min(capacity * 2, maximumRecordSize))
            grown.update(from: bytes, count: end)
            bytes.deallocate()
            bytes = grown
            capacity = min(capacity * 2, maximumRecordSize)
        }
        let free = UnsafeMutableRawBufferPointer(start: bytes + end, count: capacity - end)
        let count = try file.read(into: free, at: bufferOffset + end)
        if count == 0 { reachedEndOfFile = true }
        end += count
    }

    /// Splits the record at `start` into `fields`, or reports that it runs past the buffer.
    ///
    /// With `isFinal` the buffer ends where the file does, which ends the record. A record that
    /// needs more data is parsed again from its start once the buffer holds more.
    private func parseRecord(isFinal: Bool) throws(SyncError) -> Outcome {
        // Working on a local array spares the exclusivity check of a class property per append.
        var fields: [Field] = []
        swap(&fields, &self.fields)
        defer { swap(&fields, &self.fields) }
        fields.removeAll(keepingCapacity: true)
        let delimiter = self.delimiter
        let bytes = self.bytes
        let end = self.end
        var index = start
        var lineBreaks = 0
        while true {
            let terminator: UInt8
            if bytes[index] == Self.quote {
                let openingLine = nextLine + lineBreaks
                index += 1
                let contentStart = index
                var hasDoubledQuotes = false
                while true {
                    guard index < end else {
                        guard isFinal else { return .needsMoreData }
                        throw SyncError(.sourceData, "line \(openingLine) opens a quoted field that is never closed.")
                    }
                    let byte = bytes[index]
                    if byte == Self.quote {
                        guard index + 1 < end else {
                            if isFinal { break }
                            return .needsMoreData
                        }
                        guard bytes[index + 1] == Self.quote else { break }
                        hasDoubledQuotes = true
                        index += 2
                        continue
                    }
                    if byte == Self.lineFeed {
                        lineBreaks += 1
                    } else if byte == Self.carriageReturn {
                        // CR LF is one line break, counted at its LF.
                        guard index + 1 < end || isFinal else { return .needsMoreData }
                        if index + 1 == end || bytes[index + 1] != Self.lineFeed { lineBreaks += 1 }
                    }
                    index += 1
                }
                fields.append(Field(start: contentStart, end: index, hasDoubledQuotes: hasDoubledQuotes))
                index += 1
                guard index < end else { return .record(next: index, lineBreaks: lineBreaks) }
                terminator = bytes[index]
                guard terminator == delimiter || terminator == Self.lineFeed || terminator == Self.carriageReturn
                else {
                    throw SyncError(
                        .sourceData,
                        "line \(nextLine + lineBreaks) has text after the closing quote of a field; "
                            + "a quote inside a quoted field must be doubled.")
                }
            } else {
                let fieldStart = index
                while index < end {
                    let byte = bytes[index]
                    if byte == delimiter
                        || (byte <= Self.quote
                            && (byte == Self.quote || byte == Self.lineFeed || byte == Self.carriageReturn))
                    {
                        break
                    }
                    index += 1
                }
                guard index < end else {
                    guard isFinal else { return .needsMoreData }
                    fields.append(Field(start: fieldStart, end: index, hasDoubledQuotes: false))
                    return .record(next: index, lineBreaks: lineBreaks)
                }
                terminator = bytes[index]
                guard terminator != Self.quote else {
                    throw SyncError(
                        .sourceData,
                        "line \(nextLine + lineBreaks) has a quote inside an unquoted field; "
                            + "enclose the field in quotes and double the quote.")
                }
                fields.append(Field(start: fieldStart, end: index, hasDoubledQuotes: false))
            }
            if terminator == delimiter {
                index += 1
                if index == end {
                    guard isFinal else { return .needsMoreData }
                    fields.append(Field(start: index, end: index, hasDoubledQuotes: false))
                    return .record(next: index, lineBreaks: lineBreaks)
                }
                continue
            }
            if terminator == Self.carriageReturn {
                guard index + 1 < end else {
                    guard isFinal else { return .needsMoreData }
                    return .record(next: index + 1, lineBreaks: lineBreaks + 1)
                }
                let next = bytes[index + 1] == Self.lineFeed ? index + 2 : index + 1
                return .record(next: next, lineBreaks: lineBreaks + 1)
            }
            return .record(next: index + 1, lineBreaks: lineBreaks + 1)
        }
    }

    /// Turns each `""` of the current record's quoted fields into `"`, in place.
    ///
    /// Inside a quoted field every quote is doubled (a single one would have closed it), so every
    /// quote met is followed by its twin, which is dropped.
    private func removeDoubledQuotes() {
        for index in fields.indices where fields[index].hasDoubledQuotes {
            var read = fields[index].start
            var write = read
            while read < fields[index].end {
                let byte = bytes[read]
                bytes[write] = byte
                write += 1
                read += byte == Self.quote ? 2 : 1
            }
            fields[index].end = write
            fields[index].hasDoubledQuotes = false
        }
    }

    /// A file size for people: `812 bytes`, `4.2 MB`, `1.3 GB` (powers of 1,000).
    static func describeSize(_ bytes: Int) -> String {
        guard bytes >= 1000 else { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 999.95 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}
