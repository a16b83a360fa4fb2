import HTTP
import Sync

/// What the data table shows, read from its URL and written back into its links and forms:
/// columns, filters, search text, sort, page size and page.
///
/// Each chosen column is one `fields` parameter and each filter one `filter` parameter
/// (`FIELD:OP:VALUE`), so any field name and value survives the round trip.
struct RecordTableState {
    /// The page sizes offered.
    static let pageSizes = [25, 50, 100]
    /// The page size unless one is chosen.
    static let defaultPageSize = 50

    /// The columns shown, in the table's order; empty for every column.
    var fields: [String] = []
    /// Filters as `FIELD:OP:VALUE`, `FIELD:null` or `FIELD:notnull`.
    var filters: [String] = []
    /// Text some text column must contain.
    var search = ""
    /// The sort field, with `-` in front for descending; empty for the records' key order.
    var sort = ""
    /// Records per page.
    var limit = defaultPageSize
    /// The page token of the page shown; nil for the first page.
    var after: String?

    /// The state a page's query parameters describe; page sizes not offered fall back to the default.
    init(_ query: QueryParameters) {
        fields = query.values(for: "fields").filter { !$0.isEmpty }
        filters = query.values(for: "filter").filter { !$0.isEmpty }
        search = query["q"] ?? ""
        sort = query["sort"] ?? ""
        limit = query["limit"].flatMap(Int.init).flatMap { Self.pageSizes.contains($0) ? $0 : nil } ?? limit
        after = query["after"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The filter the add-filter form asks for, as `FIELD:OP:VALUE`; nil when it asks for none.
    ///
    /// The table shows booleans as yes and no, so those words compare as true and false.
    static func addedFilter(_ query: QueryParameters, columns: [RecordColumn]) -> String? {
        guard let field = query["add_field"], !field.isEmpty,
            let operation = query["add_op"].flatMap(FilterOperator.init(rawValue:))
        else { return nil }
        if operation == .isNull || operation == .notNull { return "\(field):\(operation.rawValue)" }
        var value = query["add_value"] ?? ""
        if columns.first(where: { $0.field == field })?.type == .boolean {
            value = ["yes": "true", "no": "false"][value.lowercased()] ?? value
        }
        return "\(field):\(operation.rawValue):\(value)"
    }

    /// Whether filters or a search narrow the records down.
    var isNarrowed: Bool { !filters.isEmpty || !search.isEmpty }

    /// The records query; throws ``SyncError/Kind/invalidQuery`` for a malformed filter or search.
    func recordQuery() throws(SyncError) -> RecordQuery {
        var query = try RecordQuery(
            fields: fields.isEmpty ? nil : fields, filters: filters, search: search.isEmpty ? nil : search,
            sort: sort.isEmpty ? nil : sort)
        query.limit = limit
        query.after = after
        return query
    }

    /// The table at `path` with `change` applied, from its first page unless `change` sets one.
    func link(_ path: String, _ change: (inout RecordTableState) -> Void = { _ in }) -> String {
        var state = self
        state.after = nil
        change(&state)
        return path + Self.queryString(state.parameters)
    }

    /// The CSV export of the same records: the API's spelling of the columns, filters, search and sort.
    func exportLink(sourceID: Int64) -> String {
        var parameters = fields.isEmpty ? [] : [("fields", fields.joined(separator: ","))]
        parameters += filters.map { ("filter", $0) }
        if !search.isEmpty { parameters.append(("q", search)) }
        if !sort.isEmpty { parameters.append(("sort", sort)) }
        return "/api/v1/sources/\(sourceID)/records.csv" + Self.queryString(parameters)
    }

    /// Hidden inputs that carry the state through a form, but for the parameters the form sets itself.
    func hiddenInputs(except names: Set<String>) -> HTML {
        parameters.filter { !names.contains($0.0) && $0.0 != "after" }
            .map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" as HTML }.joined
    }

    private var parameters: [(String, String)] {
        var parameters = fields.map { ("fields", $0) } + filters.map { ("filter", $0) }
        if !search.isEmpty { parameters.append(("q", search)) }
        if !sort.isEmpty { parameters.append(("sort", sort)) }
        if limit != Self.defaultPageSize { parameters.append(("limit", String(limit))) }
        if let after { parameters.append(("after", after)) }
        return parameters
    }

    private static func queryString(_ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return "" }
        return "?"
            + parameters.map { PercentEncoding.encodeComponent($0.0) + "=" + PercentEncoding.encodeComponent($0.1) }
            .joined(separator: "&")
    }
}
