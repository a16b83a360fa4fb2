/// The colours and sizes every chart shares.
///
/// Series and slices take the Okabe–Ito palette, whose colours stay apart for the common forms of
/// colour blindness; yellow comes last because it is faint against white.
enum ChartStyle {
    /// Series colours in the order series take them.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    /// The colour of a pie's "Other" slice, which gathers the smallest ones.
    static let other = "#999999"
    /// Main text: labels, values.
    static let text = "#1f2933"
    /// Secondary text: axis labels, legends, the empty-state message.
    static let mutedText = "#52606d"
    /// Gridlines.
    static let grid = "#e4e7eb"
    /// Axis lines and tick marks.
    static let axis = "#7b8794"
    /// The empty state's background.
    static let emptyFill = "#f5f7fa"
    /// A rise in a KPI tile (Okabe–Ito blue), told apart by its arrow and sign as well as its colour.
    static let rise = "#0072B2"
    /// A fall in a KPI tile (Okabe–Ito vermillion).
    static let fall = "#D55E00"
    /// The font for all chart text; the page's own font when it is a system font.
    static let fontFamily = "system-ui, sans-serif"

    /// The base font size for a drawing `width` units wide: large enough that text is still 11 px
    /// when the drawing shrinks to a 320 px phone screen, and never below 12 units.
    static func fontSize(forWidth width: Double) -> Double {
        max(12, (11 * width / 320).rounded())
    }

    /// The colour of series or slice `index`; after the palette runs out, colours repeat.
    static func color(_ index: Int) -> String {
        palette[index % palette.count]
    }

    /// A dash pattern that tells apart series that share a colour once the palette has repeated;
    /// empty (a solid line) for the first round.
    static func dashes(_ index: Int, fontSize: Double) -> String {
        guard index >= palette.count else { return "" }
        let dash = NumberFormat.svg(fontSize * Double(index / palette.count) * 0.5)
        return "\(dash) \(NumberFormat.svg(fontSize * 0.3))"
    }
}
