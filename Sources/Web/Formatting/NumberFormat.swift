/// Numbers as people read them on pages, charts and tiles, the same on every machine.
///
/// Nothing here consults the host's locale: the thousands separator is always a comma, the decimal
/// mark a point, and negative numbers carry a true minus sign (U+2212), which lines up with the plus
/// sign and reads better than a hyphen. Rounding is half away from zero on the number as written
/// (2.675 → 2.68). A value that is not finite prints as an em dash.
public enum NumberFormat {
    /// The minus sign used for display.
    static let minus = "\u{2212}"
    /// What a NaN or infinite value prints as.
    static let notANumber = "\u{2014}"
    /// Suffixes of the compact units, each a thousand times the one before.
    private static let unitSuffixes = ["", "k", "M", "B", "T"]
    private static let unitSizes: [Double] = [1, 1e3, 1e6, 1e9, 1e12]

    /// Formats `value` with a comma between groups of three digits: `12,345`, `−1,234.50`.
    ///
    /// With `decimals`, the number has exactly that many digits after the point. Without, it has as
    /// many as it needs up to two (`12`, `12.5`, `12.35`), and a number below one keeps two
    /// significant digits (`0.0012`).
    public static func grouped(_ value: Double, decimals: Int? = nil) -> String {
        guard value.isFinite else { return notANumber }
        let magnitude = abs(value)
        if let decimals {
            return text(negative: value < 0, DecimalDigits(magnitude, decimals: min(decimals, 12)), trimming: false)
        }
        return text(negative: value < 0, DecimalDigits(magnitude, decimals: naturalDecimals(magnitude)), trimming: true)
    }

    /// Formats `value` in at most four characters plus a unit, for axes and KPI tiles.
    ///
    /// Thousands, millions, billions and trillions become `k`, `M`, `B` and `T`, with one decimal below
    /// 100 of the unit and none from there on: `950`, `1.2k`, `12.3k`, `123k`, `4.5M`, `1.2B`,
    /// `−3.4k`. A number that rounds up to a thousand of a unit moves to the next (`999,999` is `1M`,
    /// never `1000k`). Below one it keeps two significant digits: `0.46`, `0.0012`.
    public static func compact(_ value: Double) -> String {
        guard value.isFinite else { return notANumber }
        let magnitude = abs(value)
        var unit = unitSizes.lastIndex { magnitude >= $0 } ?? 0
        while true {
            let scaled = magnitude / unitSizes[unit]
            var digits: DecimalDigits
            if unit == 0, scaled < 1 {
                digits = DecimalDigits(scaled, decimals: naturalDecimals(scaled))
            } else {
                digits = DecimalDigits(scaled, decimals: scaled < 100 ? 1 : 0)
                if digits.whole.count >= 3 { digits = DecimalDigits(scaled, decimals: 0) }
            }
            if digits.whole.count >= 4, unit < unitSizes.count - 1 {
                unit += 1
                continue
            }
            return text(negative: value < 0, digits, trimming: true) + unitSuffixes[unit]
        }
    }

    /// Formats a fraction as a percentage: `0.125` is `12.5%`, and with `signed`, `+12.5%`.
    ///
    /// A negative percentage always carries a minus sign (`−3.1%`); one that rounds to zero carries no
    /// sign at all, so a change too small to show reads `0.0%` rather than `+0.0%` or `−0.0%`.
    public static func percent(_ fraction: Double, decimals: Int = 1, signed: Bool = false) -> String {
        guard fraction.isFinite else { return notANumber }
        let percentage = fraction * 100
        let digits = DecimalDigits(abs(percentage), decimals: min(max(decimals, 0), 12))
        let body = text(negative: false, digits, trimming: false) + "%"
        if digits.isZero { return body }
        if percentage < 0 { return minus + body }
        return signed ? "+" + body : body
    }

    /// Formats an axis tick, a multiple of a step of 10^`stepExponent` times 1, 2, 2.5 or 5, in compact
    /// units with just the decimals the step needs, so neighbouring ticks never look alike (`1.25M`
    /// beside `1.5M`, where `compact(_:)` would show `1.3M`).
    static func tick(_ value: Double, stepExponent: Int) -> String {
        guard value.isFinite else { return notANumber }
        let magnitude = abs(value)
        let unit = unitSizes.lastIndex { magnitude >= $0 } ?? 0
        let decimals = max(0, 3 * unit - stepExponent)
        let digits = DecimalDigits(magnitude / unitSizes[unit], decimals: min(decimals, 12))
        return text(negative: value < 0, digits, trimming: true) + (digits.isZero ? "" : unitSuffixes[unit])
    }

    /// Formats a coordinate or length for SVG: at most two decimals, a hyphen-minus, no grouping.
    static func svg(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let digits = DecimalDigits(abs(value), decimals: 2)
        var text = digits.isZero || value > 0 ? "" : "-"
        text += String(decoding: digits.whole, as: UTF8.self)
        let fraction = digits.trimmedFraction
        if !fraction.isEmpty { text += "." + String(decoding: fraction, as: UTF8.self) }
        return text
    }

    /// How many decimals a number shown "as it is" gets: up to two, or two significant digits below one.
    private static func naturalDecimals(_ magnitude: Double) -> Int {
        guard magnitude < 1, magnitude > 0 else { return 2 }
        return min(max(2, 2 - DecimalDigits.position(of: magnitude)), 12)
    }

    /// Joins sign, grouped whole digits and fraction; no sign when the rounded number is zero.
    private static func text(negative: Bool, _ digits: DecimalDigits, trimming: Bool) -> String {
        var text = negative && !digits.isZero ? minus : ""
        let whole = digits.whole
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { text += "," }
            text.unicodeScalars.append(Unicode.Scalar(digit))
        }
        let fraction = trimming ? digits.trimmedFraction : digits.fraction[...]
        if !fraction.isEmpty { text += "." + String(decoding: fraction, as: UTF8.self) }
        return text
    }
}
