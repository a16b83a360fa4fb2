import Core
import Foundation

extension HTML {
    /// A `<time>` element for `date`, shown in UTC to the second (`2026-05-01 09:30:12 UTC`) and
    /// carrying the millisecond in its `datetime`.
    static func time(_ date: Date) -> HTML {
        let shown = Timestamp.rfc3339(date).dropLast().replacingOccurrences(of: "T", with: " ") + " UTC"
        return "<time datetime=\"\(Timestamp.rfc3339(date, fractionalDigits: 3))\">\(shown)</time>"
    }
}
