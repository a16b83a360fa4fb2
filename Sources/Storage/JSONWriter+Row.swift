import Core
import Foundation

extension JSONWriter {
    /// Writes a database value: numbers and booleans as JSON literals, timestamps as RFC 3339 text,
    /// blobs as base64 text, NULL as `null`.
    public mutating func value(_ value: DatabaseValue) {
        switch value {
        case .null: null()
        case .integer(let integer): self.integer(integer)
        case .real(let real): number(real)
        case .text(let text): string(text)
        case .blob(let bytes): string(Data(bytes).base64EncodedString())
        case .bool(let bool): self.bool(bool)
        case .timestamp(let date): string(DatabaseValue.timestampText(date))
        }
    }

    /// Writes a row as one object keyed by column name, in column order.
    public mutating func row(_ row: Row) {
        beginObject()
        for (name, value) in zip(row.columnNames, row.values) {
            key(name)
            self.value(value)
        }
        endObject()
    }
}
