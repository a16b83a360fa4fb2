import Foundation

/// The statements an SQL source runs, built from its selection.
///
/// The selection becomes one `FROM` item named `source`: a table as a quoted identifier, a query
/// as a subquery. A query must be one statement: any `;` other than trailing ones is refused, a
/// simple rule that needs no SQL parser and also refuses a `;` inside a string literal. The real
/// guard against writes is the connection: a read-only transaction on PostgreSQL, a read-only
/// file handle with `query_only` on SQLite. Wrapping the query in a subquery also refuses anything
/// but a query expression (an `INSERT … RETURNING` does not parse there).
struct SQLSourceStatements {
    /// The `FROM` item.
    let fromItem: String
    /// How the selection is named for people: `table orders` or `query`.
    let summary: String

    /// Checks the selection and builds its `FROM` item.
    ///
    /// `field` names the definition field a refused query came from, such as `postgres.query`.
    init(selection: SQLSelection, field: String) throws(SyncError) {
        switch selection {
        case .table(let name):
            fromItem =
                name.split(separator: ".", maxSplits: 1).map { Self.quoted(String($0)) }.joined(separator: ".")
                + " AS source"
            summary = "table \(name)"
        case .query(let sql):
            var statement = Substring(sql)
            while let last = statement.last, last.isWhitespace || last == ";" { statement.removeLast() }
            guard !statement.allSatisfy(\.isWhitespace) else {
                throw SyncError(
                    .invalidDefinition, "The query is empty.", fields: [field: "Must be a SELECT statement."])
            }
            guard !statement.contains(";") else {
                throw SyncError(
                    .invalidDefinition, "The query must be a single SELECT statement.",
                    fields: [field: "Must be one statement, without ';'."])
            }
            // The line breaks keep a trailing `--` comment from swallowing the closing parenthesis.
            fromItem = "(\n\(statement)\n) AS source"
            summary = "query"
        }
    }

    /// Every record of the selection, in no particular order.
    var full: String {
        "SELECT * FROM \(fromItem)"
    }

    /// The records in the order of `cursorField`, those at or after `$1` when `hasLowerBound`.
    func incremental(cursorField: String, hasLowerBound: Bool) -> String {
        let cursor = Self.quoted(cursorField)
        let filter = hasLowerBound ? " WHERE \(cursor) >= $1" : ""
        return "SELECT * FROM \(fromItem)\(filter) ORDER BY \(cursor)"
    }

    /// One row whose width is the selection's: its first record, or nulls when it has none.
    var probe: String {
        "SELECT sample.* FROM (SELECT 1) AS probe LEFT JOIN (SELECT * FROM \(fromItem) LIMIT 1) AS sample ON 1 = 1"
    }

    /// `identifier` as a quoted SQL identifier, its own quotes doubled.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
