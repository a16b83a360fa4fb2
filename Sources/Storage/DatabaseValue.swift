import Core
import Foundation

/// One value bound to a statement or read from a result column.
///
/// SQLite has no boolean or timestamp storage class: it stores `bool` as INTEGER 0 or 1 and
/// `timestamp` as TEXT in RFC 3339 with six fractional digits in UTC, and reads them back as
/// `integer` and `text`. The typed getters of ``Row`` accept both forms, so code that reads
/// through them runs unchanged on either database. PostgreSQL uses its native types (`bigint`,
/// `double precision`, `text`, `bytea`, `boolean`, `timestamptz`).
public enum DatabaseValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A double-precision floating-point number.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])
    /// A boolean.
    case bool(Bool)
    /// A point in time, kept to the microsecond by both databases.
    case timestamp(Date)

    /// Whether the value is SQL NULL.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's kind for error messages, never the value itself.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        case .bool: "bool"
        case .timestamp: "timestamp"
        }
    }

    /// The text form a timestamp is stored in: RFC 3339, UTC, six fractional digits.
    ///
    /// `Timestamp.rfc3339` truncates the fraction; adding half a microsecond first makes it round
    /// to the nearest microsecond, so a date read back from the database formats the same way.
    public static func timestampText(_ date: Date) -> String {
        Timestamp.rfc3339(date.addingTimeInterval(0.000_000_5), fractionalDigits: 6)
    }

    /// Writes ``timestampText(_:)`` of `date` into `target`, which has room for
    /// `Timestamp.longestFixedWidthText` bytes; nil, writing nothing, for a year outside 0–9999.
    static func writeTimestampText(_ date: Date, to target: UnsafeMutableRawPointer) -> Int? {
        Timestamp.write(date.addingTimeInterval(0.000_000_5), fractionalDigits: 6, to: target)
    }
}

extension DatabaseValue: ExpressibleByNilLiteral {
    /// Creates SQL NULL from `nil`.
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension DatabaseValue: ExpressibleByIntegerLiteral {
    /// Creates an integer value from a literal.
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension DatabaseValue: ExpressibleByFloatLiteral {
    /// Creates a real value from a literal.
    public init(floatLiteral value: Double) {
        self = .real(value)
    }
}

extension DatabaseValue: ExpressibleByStringLiteral {
    /// Creates a text value from a literal.
    public init(stringLiteral value: String) {
        self = .text(value)
    }
}

extension DatabaseValue: ExpressibleByBooleanLiteral {
    /// Creates a boolean value from a literal.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension DatabaseValue {
    /// An integer value from an `Int`.
    public init(_ value: Int) {
        self = .integer(Int64(value))
    }

    /// Text, or NULL when `value` is nil.
    public init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    /// An integer, or NULL when `value` is nil.
    public init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    /// A real number, or NULL when `value` is nil.
    public init(_ value: Double?) {
        self = value.map { .real($0) } ?? .null
    }

    /// Bytes, or NULL when `value` is nil.
    public init(_ value: [UInt8]?) {
        self = value.map { .blob($0) } ?? .null
    }

    /// A boolean, or NULL when `value` is nil.
    public init(_ value: Bool?) {
        self = value.map { .bool($0) } ?? .null
    }

    /// A timestamp, or NULL when `value` is nil.
    public init(_ value: Date?) {
        self = value.map { .timestamp($0) } ?? .null
    }
}
