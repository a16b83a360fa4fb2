extension Charts {
    /// Builds an HTML `<table>` fragment of `rows` under the headings `columns`.
    ///
    /// Number cells are formatted with thousands separators and carry the class `num`, as does the
    /// heading of a column holding only numbers, so `stylesheet` right-aligns them. A row shorter
    /// than `columns` is padded with empty cells and a longer one cut to fit. With no rows the table
    /// says "No data yet" under its headings.
    public static func table(columns: [String], rows: [[TableCell]], caption: String? = nil) -> String {
        var html = "<table class=\"chart-table\">"
        if let caption { html += "<caption>\(Markup.escape(caption))</caption>" }
        if !columns.isEmpty {
            html += "<thead><tr>"
            for (index, column) in columns.enumerated() {
                let numeric =
                    rows.contains { isNumber($0, at: index) } && rows.allSatisfy { isNumberOrEmpty($0, at: index) }
                html += numeric ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">"
                html += Markup.escape(column) + "</th>"
            }
            html += "</tr></thead>"
        }
        html += "<tbody>"
        if rows.isEmpty {
            html += "<tr><td class=\"chart-empty\" colspan=\"\(max(columns.count, 1))\">\(emptyMessage)</td></tr>"
        }
        for row in rows {
            html += "<tr>"
            for index in columns.indices {
                switch index < row.count ? row[index] : .text("") {
                case .text(let text):
                    html += "<td>\(Markup.escape(text))</td>"
                case .number(let value, let decimals):
                    html += "<td class=\"num\">\(Markup.escape(NumberFormat.grouped(value, decimals: decimals)))</td>"
                }
            }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }

    private static func isNumber(_ row: [TableCell], at index: Int) -> Bool {
        guard index < row.count, case .number = row[index] else { return false }
        return true
    }

    private static func isNumberOrEmpty(_ row: [TableCell], at index: Int) -> Bool {
        guard index < row.count, case .text(let text) = row[index] else { return true }
        return text.isEmpty
    }
}
