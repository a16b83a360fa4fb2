import Core
import Foundation
import Storage

/// The SQL of one records query over a source's table, with its bound values.
///
/// Rows are ordered by whether the sort column is null (nulls last), the column, then the key,
/// so every row has a distinct position and a page continues exactly after the previous one's
/// last row. Without a sort field the order is the key alone, which is never null, so the
/// database walks the key's index and a page costs the same on a million rows as on a hundred.
/// Every identifier comes from the table's own columns; every value is bound.
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
        let sortsByKey = sortColumn == nil
        let nullFlag = sortsByKey ? "0" : "CASE WHEN \(sortExpression) IS NULL THEN 1 ELSE 0 END"
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
        if paged, let token = query.after {
            if let position = Position(token: token) {
                let after = query.descending ? "<" : ">"
                let key = bind(.text(position.k))
                if sortsByKey {
                    conditions.append("\(RecordSQL.primaryKey) \(after) \(key)")
                } else if position.n {
                    conditions.append("(\(sortExpression) IS NULL AND \(RecordSQL.primaryKey) \(after) \(key))")
                } else if let value = Self.value(position.v, as: sortColumn?.type ?? .text) {
                    let sortValue = bind(value)
                    conditions.append(
                        "(\(sortExpression) IS NULL OR \(sortExpression) \(after) \(sortValue) OR "
                            + "(\(sortExpression) = \(sortValue) AND \(RecordSQL.primaryKey) \(after) \(key)))")
                } else {
                    problems["after"] = "The page cursor does not fit this sort."
                }
            } else {
                problems["after"] = "The page cursor is malformed."
            }
        }
        guard problems.isEmpty else { throw SyncError(.invalidQuery, "The query is malformed.", fields: problems) }

        let direction = query.descending ? " DESC" : ""
        let selected =
            [RecordSQL.primaryKey, nullFlag, sortExpression] + columns.map { RecordSQL.quote($0.name) }
        var sql = "SELECT \(selected.joined(separator: ", ")) FROM \(RecordSQL.quote(table.name))"
        sql += " WHERE " + conditions.joined(separator: " AND ")
        if sortsByKey {
            sql += " ORDER BY \(RecordSQL.primaryKey)\(direction)"
        } else {
            sql += " ORDER BY \(nullFlag), \(sortExpression)\(direction), \(RecordSQL.primaryKey)\(direction)"
        }
        if paged { sql += " LIMIT \(bind(.integer(Int64(query.limit + 1))))" }
        self.sql = sql
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
