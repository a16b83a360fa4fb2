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

extension JSONWriter {
    /// Writes a row view as one object keyed by column name, reading each value in place.
    ///
    /// Text goes from the driver's buffer into the output without a `String` in between, unless
    /// it holds bytes beyond ASCII, which are checked (and repaired) as UTF-8 first.
    public mutating func row(_ view: RowView) {
        beginObject()
        let keys = view.columns.jsonKeys
        for index in 0..<keys.count {
            key(keys[index])
            field(view.field(at: index))
        }
        endObject()
    }

    /// Writes one field of a row view as its JSON value: text straight from the driver's buffer,
    /// timestamps as RFC 3339 text, blobs as base64 text.
    @inline(__always)
    public mutating func field(_ field: RowView.Field) {
        switch field {
        case .null: null()
        case .integer(let number): integer(number)
        case .real(let value): number(value)
        case .bool(let flag): bool(flag)
        case .timestamp(let date): string(DatabaseValue.timestampText(date))
        case .text(let bytes): string(utf8: bytes)
        case .blob(let bytes): string(Data(bytes).base64EncodedString())
        }
    }
}
