/// RFC 4180 cells, safe to open in a spreadsheet.
public enum CSVCell {
    /// Appends `cell`, quoted when it holds a comma, quote, CR, LF or another control character,
    /// and prefixed with `'` when it starts with `=`, `+`, `-`, `@`, tab or CR, which spreadsheets
    /// would read as the start of a formula.
    public static func append<Cell: Collection<UInt8>>(_ cell: Cell, to bytes: inout [UInt8]) {
        let neutralize = cell.first.map(formulaStarts.contains) ?? false
        let quote = cell.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 < 0x20 || $0 == 0x7F }
        if quote { bytes.append(UInt8(ascii: "\"")) }
        if neutralize { bytes.append(UInt8(ascii: "'")) }
        if quote {
            for byte in cell {
                bytes.append(byte)
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: cell)
        }
    }

    private static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]
}
