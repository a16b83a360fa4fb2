/// One cell of a table widget.
public enum TableCell: Sendable, Equatable {
    /// Text shown as it is, left-aligned.
    case text(String)
    /// A number shown with thousands separators and right-aligned; `decimals` fixes how many digits
    /// follow the point, or, when nil, as many as it needs up to two.
    case number(Double, decimals: Int? = nil)
}
