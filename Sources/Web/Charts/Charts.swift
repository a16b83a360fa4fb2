/// Charts drawn on the server: each function turns a small model into SVG, or HTML for tables.
///
/// Every SVG scales to the width of its container, is announced to screen readers as one image
/// with a title and a text description of the data, gives each mark (bar, point, slice) a tooltip
/// with its label and formatted value, and shows "No data yet" inside the same frame when there is
/// nothing to draw. Text from the data is escaped, and the markup has no inline styles or scripts,
/// so pages can keep a strict Content-Security-Policy. `docs/charts.md` describes the choices.
public enum Charts {
    /// What a chart or table with nothing to show says.
    static let emptyMessage = "No data yet"

    /// CSS for the class names the charts and tables use, to be served as a file of its own.
    ///
    /// Charts draw correctly without it; tables need it to right-align their numbers.
    public static let stylesheet = """
        .chart { display: block; max-width: 100%; height: auto; }
        .chart .chart-mark:hover { opacity: 0.75; }
        .chart-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        .chart-table caption { text-align: left; font-weight: 600; padding-bottom: 0.5rem; }
        .chart-table th, .chart-table td {
            padding: 0.375rem 0.75rem; text-align: left; border-bottom: 1px solid #e4e7eb;
        }
        .chart-table th { font-weight: 600; }
        .chart-table .num { text-align: right; white-space: nowrap; }
        .chart-table .chart-empty { text-align: center; color: #52606d; padding: 1.5rem; }

        """
}
