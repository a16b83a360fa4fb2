import Storage

/// One widget of a dashboard with the SQL statement its result is computed by, or why it has none.
///
/// The statement is the one ``DashboardService/data(for:now:)`` runs on a cache miss, in the
/// running store's dialect, with `$1`, `$2`, … standing for ``parameters`` in order. It is shown
/// to admins for diagnosis; every value in it, filters included, is a parameter.
public struct WidgetStatement: Sendable {
    /// The SQL text and the values bound to its placeholders.
    public struct Statement: Sendable, Hashable {
        /// The statement, with `$n` for the n-th parameter.
        public let sql: String
        /// The values bound, in placeholder order.
        public let parameters: [DatabaseValue]
    }

    /// The widget.
    public let widget: Widget
    /// The statement, or the error that stands in place of the widget's result: its source was
    /// deleted (``DashboardError/Kind/sourceMissing``) or it no longer fits its source's fields
    /// (``DashboardError/Kind/invalidDefinition``).
    public let outcome: Result<Statement, DashboardError>

    init(widget: Widget, query: WidgetQuery) {
        self.widget = widget
        outcome = .success(Statement(sql: query.sql, parameters: query.parameters))
    }

    init(widget: Widget, error: DashboardError) {
        self.widget = widget
        outcome = .failure(error)
    }
}
