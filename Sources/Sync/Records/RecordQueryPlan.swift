import Core
import Foundation
import Storage

/// The SQL of one records query over a source's table, with its bound values.
///
/// Rows are ordered by whether the sort column is null (nulls last in either direction), the
/// column, then the key, so every row has a distinct position and a page continues exactly after
/// the previous one's last row. Without a sort field the order is the key alone, which is never
/// null, so the database walks the key's index and a page costs the same on a million rows as on
/// a hundred.
///
/// A sorted page is two parts: the rows with a value, in the column's and the key's order, and
/// then the rows without one, in the key's order. Each part is a plain range over an index on
/// (column, key), where one exists, both ways, and a later page starts with a seek to the row
/// value after the previous page's last row; their union holds at most two pages' rows, which
/// are put in order again. Every identifier comes from the table's own columns; every value is
/// bound.
struct RecordQueryPlan {
    /// The columns selected before the data columns: key, sort-is-null flag, sort value.
    static let leadingColumns = 3

    let columns: [RecordColumn]
    let sql: String
    let parameters: [DatabaseValue]
    private let sortType: ColumnType?

    /// Where a row stands in the order, written as an opaque page token.
    struct Position: Codable {
        /// Whether the sort value is null.
        var n: Bool
        /// The sort value as text.
        var v: String
        /// The record key.
        var k: String

        var token: String {
            let json = try! JSONEncoder().encode(self)
            return json.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }

        init(n: Bool, v: String, k: String) {
            self.n = n
            self.v = v
            self.k = k
        }

        init?(token: String) {
            var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard token.count <= 4096, let data = Data(base64Encoded: base64),
                let position = try? JSONDecoder().decode(Position.self, from: data)
            else { return nil }
            self = position
        }
    }

    init(table: RecordTable, query: RecordQuery, dialect: SQLDialect, paged: Bool) throws(SyncError) {
        var problems: [String: String] = [:]
        func column(_ field: String, for parameter: String) -> RecordColumn? {
            guard let column = table.column(forField: field) else {
                problems[parameter] = "The source has no field \(field)."
                return nil
            }
            return column
        }

        columns = query.fields.map { fields in fields.compactMap { column($0, for: "fields") } } ?? table.columns
        let sortColumn = query.sort.flatMap { column($0, for: "sort") }
        sortType = sortColumn?.type
        let sortExpression = sortColumn.map { RecordSQL.quote($0.name) } ?? RecordSQL.primaryKey
        let like = dialect == .postgres ? "ILIKE" : "LIKE"

        var parameters: [DatabaseValue] = []
        func bind(_ value: DatabaseValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        var conditions = ["\(RecordSQL.deletedAt) IS NULL"]
        for (index, filter) in query.filters.enumerated() {
            let name = "filter[\(index)]"
            guard let target = column(filter.field, for: name) else { continue }
            do throws(SyncError) {
                conditions.append(try filter.condition(on: target, dialect: dialect, bind: bind))
            } catch {
                problems[name] = error.message
            }
        }
        if let search = query.search, !search.isEmpty {
            let searchable = table.columns.filter { $0.type == .text || $0.type == .json }
            if searchable.isEmpty {
                conditions.append("1 = 0")
            } else {
                let pattern = bind(.text("%\(Self.escapeLike(search))%"))
                conditions.append(
                    "("
                        + searchable.map { "\(RecordSQL.quote($0.name)) \(like) \(pattern) ESCAPE '\\'" }
                        .joined(separator: " OR ") + ")")
            }
        }
        // Where the page starts: after a row with a value (the rest of the values, then every
        // row without one), or after a row without one (only the rest of those).
        var valuesAfter: String?
        var missingAfter: String?
        var skipsValues = false
        if paged, let token = query.after {
            if let position = Position(token: token) {
                let after = query.descending ? "<" : ">"
                let key = bind(.text(position.k))
                if sortColumn == nil || position.n {
                    missingAfter = "\(RecordSQL.primaryKey) \(after) \(key)"
                    skipsValues = sortColumn != nil
                } else if let value = Self.value(position.v, as: sortColumn?.type ?? .text) {
                    valuesAfter = "(\(sortExpression), \(RecordSQL.primaryKey)) \(after) (\(bind(value)), \(key))"
                } else {
                    problems["after"] = "The page cursor does not fit this sort."
                }
            } else {
                problems["after"] = "The page cursor is malformed."
            }
        }
        guard problems.isEmpty else { throw SyncError(.invalidQuery, "The query is malformed.", fields: problems) }

        let direction = query.descending ? " DESC" : ""
        let limit = paged ? " LIMIT \(bind(.integer(Int64(query.limit + 1))))" : ""
        let data = columns.map { RecordSQL.quote($0.name) }
        let tableName = RecordSQL.quote(table.name)
        func part(missing: Bool, _ extra: [String], orderedBy order: [String]) -> String {
            let selected = [RecordSQL.primaryKey, missing ? "1" : "0", sortExpression] + data
            return "SELECT \(selected.joined(separator: ", ")) FROM \(tableName) WHERE "
                + (conditions + extra).joined(separator: " AND ") + " ORDER BY "
                + order.map { $0 + direction }.joined(separator: ", ") + limit
        }
        guard sortColumn != nil else {
            sql = part(missing: false, missingAfter.map { [$0] } ?? [], orderedBy: [RecordSQL.primaryKey])
            self.parameters = parameters
            return
        }
        var parts: [String] = []
        if !skipsValues {
            parts.append(
                part(
                    missing: false, ["\(sortExpression) IS NOT NULL"] + (valuesAfter.map { [$0] } ?? []),
                    orderedBy: [sortExpression, RecordSQL.primaryKey]))
        }
        parts.append(
            part(
                missing: true, ["\(sortExpression) IS NULL"] + (missingAfter.map { [$0] } ?? []),
                orderedBy: [RecordSQL.primaryKey]))
        // Each part is a subquery of its own, since a compound statement takes one ORDER BY and
        // LIMIT for the whole; the outer ORDER BY counts the selected columns from 1.
        let union = parts.enumerated().map { "SELECT * FROM (\($1)) AS part_\($0)" }.joined(separator: " UNION ALL ")
        sql = "SELECT * FROM (\(union)) AS page ORDER BY 2, 3\(direction), 1\(direction)\(limit)"
        self.parameters = parameters
    }

    /// The data field `column` of `view`, booleans stored as 0 or 1 read back as booleans.
    func field(of view: RowView, column: Int) -> RowView.Field {
        let field = view.field(at: Self.leadingColumns + column)
        if columns[column].type == .boolean, case .integer(let number) = field { return .bool(number != 0) }
        return field
    }

    /// The position of the row `view` in the order.
    func position(of view: RowView) -> Position {
        let key = Self.text(view.field(at: 0)) ?? ""
        let isNull: Bool
        if case .integer(let flag) = view.field(at: 1) { isNull = flag != 0 } else { isNull = false }
        var value = Self.text(view.field(at: 2)) ?? ""
        if sortType == .boolean, case .integer(let number) = view.field(at: 2) {
            value = number != 0 ? "true" : "false"
        }
        return Position(n: isNull, v: value, k: key)
    }

    private static func text(_ field: RowView.Field) -> String? {
        switch field {
        case .null: nil
        case .integer(let number): String(number)
        case .real(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        case .timestamp(let date): DatabaseValue.timestampText(date)
        case .text(let bytes): String(decoding: bytes, as: UTF8.self)
        case .blob(let bytes): Data(bytes).base64EncodedString()
        }
    }

    /// `text` read as a value of `type`, or nil when it is not one.
    static func value(_ text: String, as type: ColumnType) -> DatabaseValue? {
        switch type {
        case .integer: Int64(text).map(DatabaseValue.integer)
        case .real: Double(text).flatMap { $0.isFinite ? DatabaseValue.real($0) : nil }
        case .boolean: ["true": DatabaseValue.bool(true), "false": .bool(false)][text]
        case .timestamp: Timestamp.parse(text).map(DatabaseValue.timestamp)
        case .text, .json: .text(text)
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
