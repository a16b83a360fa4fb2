import Core
import Foundation
import Storage

/// Reads the columns of ``AuditReader/columns`` from a row view in place.
struct AuditRowView {
    let view: RowView

    /// The entry's id, or nil when the column does not hold an integer.
    var id: Int64? {
        if case .integer(let id) = view.field(at: 0) { return id }
        return nil
    }

    /// The time the entry occurred: a native timestamp in PostgreSQL, RFC 3339 text in SQLite.
    var occurredAt: Date? {
        switch view.field(at: 1) {
        case .timestamp(let date): return date
        case .text(let bytes): return Timestamp.parse(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// The UTF-8 bytes of a text column, valid until the callback that received the view returns.
    func text(_ column: Column) -> UnsafeRawBufferPointer? {
        if case .text(let bytes) = view.field(at: column.rawValue) { return bytes }
        return nil
    }

    /// The text columns by position.
    enum Column: Int, CaseIterable {
        case actor = 2
        case action
        case target
        case outcome
        case ip
        case userAgent
        case details
        case previousHash
        case hash

        /// The column's name in exports.
        var name: String {
            switch self {
            case .actor: "actor"
            case .action: "action"
            case .target: "target"
            case .outcome: "outcome"
            case .ip: "ip"
            case .userAgent: "user_agent"
            case .details: "details"
            case .previousHash: "previous_hash"
            case .hash: "hash"
            }
        }
    }
}
