import Storage

extension RecordFilter {
    /// The SQL condition this filter puts on `column` of a source's record table, for queries
    /// written outside this layer as for the records API.
    ///
    /// The column name is quoted and the value is read as the column's type and handed to `bind`,
    /// which returns its placeholder; text matches ignore case. Throws an ``SyncError/Kind/invalidQuery``
    /// error whose message says why the filter does not fit the column.
    public func condition(
        on column: RecordColumn, dialect: SQLDialect, bind: (DatabaseValue) -> String
    ) throws(SyncError) -> String {
        let quoted = RecordSQL.quote(column.name)
        switch operation {
        case .isNull:
            return "\(quoted) IS NULL"
        case .notNull:
            return "\(quoted) IS NOT NULL"
        case .contains, .prefix:
            guard column.type == .text || column.type == .json else {
                throw SyncError(.invalidQuery, "contains and prefix work on text fields only.")
            }
            let escaped = RecordQueryPlan.escapeLike(value ?? "")
            let pattern = operation == .contains ? "%\(escaped)%" : "\(escaped)%"
            let like = dialect == .postgres ? "ILIKE" : "LIKE"
            return "\(quoted) \(like) \(bind(.text(pattern))) ESCAPE '\\'"
        case .eq, .ne, .gt, .gte, .lt, .lte:
            guard let parsed = RecordQueryPlan.value(value ?? "", as: column.type) else {
                throw SyncError(.invalidQuery, "\(value ?? "") is not a valid \(column.type.rawValue).")
            }
            let comparison = ["eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="][
                operation.rawValue]!
            return "\(quoted) \(comparison) \(bind(parsed))"
        }
    }
}
