/// Where a record of a CSV file starts: its byte offset and its physical line number.
///
/// Written as `offset:line` in a ``SyncCheckpoint``'s position, so a resumed read seeks straight
/// to the record and still reports line numbers as they are in the file.
public struct CSVPosition: Sendable, Hashable, LosslessStringConvertible {
    /// The byte offset from the start of the file.
    public var offset: Int
    /// The physical line the record starts on, counted from 1.
    public var line: Int

    /// The start of the file.
    public static let start = CSVPosition(offset: 0, line: 1)

    /// Creates a position.
    public init(offset: Int, line: Int) {
        self.offset = offset
        self.line = line
    }

    /// Reads the `offset:line` form; nil unless both are whole numbers, the line at least 1.
    public init?(_ description: String) {
        let parts = description.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let offset = Int(parts[0]), let line = Int(parts[1]), offset >= 0, line >= 1
        else { return nil }
        self.init(offset: offset, line: line)
    }

    /// The `offset:line` form.
    public var description: String {
        "\(offset):\(line)"
    }
}
