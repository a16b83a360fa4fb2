import Core
import Foundation

/// Incremental cursor values: compared as numbers or timestamps when both sides read as such,
/// as text otherwise, and moved back by a look-back window.
enum CursorValue {
    /// The cursor text of a record's value; nil for null, booleans and nested values.
    static func text(of value: RecordValue) -> String? {
        switch value {
        case .integer(let number): String(number)
        case .real(let number): number.description
        case .text(let text): text
        case .null, .bool, .json: nil
        }
    }

    /// Whether `lhs` comes before `rhs`.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        if let left = Double(lhs), let right = Double(rhs) { return left < right }
        if let left = Timestamp.parse(lhs), let right = Timestamp.parse(rhs) { return left < right }
        return lhs < rhs
    }

    /// The later of two cursor values, either of which may be missing.
    static func later(_ lhs: String?, _ rhs: String?) -> String? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        return precedes(lhs, rhs) ? rhs : lhs
    }

    /// Where the next incremental sync starts: `cursor` moved back by `lookback` seconds for a
    /// timestamp, or units for a number; text cursors cannot move and are kept.
    static func since(_ cursor: String?, lookback: Double) -> String? {
        guard let cursor else { return nil }
        guard lookback > 0 else { return cursor }
        if let integer = Int64(cursor), lookback.rounded() == lookback {
            return String(integer - Int64(lookback))
        }
        if let number = Double(cursor) {
            return (number - lookback).description
        }
        if let date = Timestamp.parse(cursor) {
            let hasFraction = cursor.dropFirst(19).first == "."
            return Timestamp.rfc3339(date.addingTimeInterval(-lookback), fractionalDigits: hasFraction ? 6 : 0)
        }
        return cursor
    }
}
