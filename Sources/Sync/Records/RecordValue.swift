import Foundation

/// One field of a record as a source delivered it, before it is fitted to a column.
public enum RecordValue: Sendable, Hashable {
    /// A missing field or an explicit null.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number that fits 64 bits.
    case integer(Int64)
    /// Any other number.
    case real(Double)
    /// Text; the column type decides whether it reads as a timestamp.
    case text(String)
    /// A nested array or object, kept as its JSON text.
    case json(String)

    /// Whether the value is null.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
