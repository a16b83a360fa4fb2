/// A numeric axis whose ends and ticks are round numbers: multiples of 1, 2, 2.5 or 5 × 10^n.
///
/// The step is the smallest such number that covers the values with at most seven ticks, which
/// leaves at least four. Values that are all whole numbers get whole steps (no `0.5 orders`), and an
/// axis of whole steps with fewer than four ticks is extended away from zero until it has four.
struct LinearScale {
    /// The tick values, lowest first and evenly spaced; the first and last are the axis ends.
    let ticks: [Double]
    /// The power of ten of the step's last significant digit: −1 for 2.5, 4 for 250,000.
    let stepExponent: Int

    /// Step multipliers, ascending, as a whole number and a shift of the exponent: 2.5 is 25 × 10^−1.
    private static let multipliers: [(units: Double, shift: Int)] = [(1, 0), (2, 0), (25, -1), (5, 0)]

    /// Chooses ticks for `values`; non-finite values are ignored.
    ///
    /// With `includingZero` the axis reaches zero, as bars and areas need; without, it covers just
    /// the values. Values that are all equal get an axis from zero to them; values that are all zero
    /// (or none) get 0 to 3.
    init(covering values: [Double], includingZero: Bool) {
        let finite = values.filter(\.isFinite).map { min(max($0, -1e300), 1e300) }
        var low = finite.min() ?? 0
        var high = finite.max() ?? 0
        if includingZero {
            low = min(low, 0)
            high = max(high, 0)
        }
        if high - low < 1e-280 {
            low = min(low, 0)
            high = max(high, 0)
            if high - low < 1e-280 { high = low + 1 }
        }
        let integers = finite.allSatisfy { $0 == $0.rounded() }

        var exponent = DecimalDigits.position(of: high - low) - 3
        while true {
            for multiplier in Self.multipliers {
                let stepExponent = exponent + multiplier.shift
                let step = Self.value(multiplier.units, exponent: stepExponent)
                if integers, step < 1 { continue }
                var first = Self.lowerMultiple(of: step, atMost: low)
                var last = Self.upperMultiple(of: step, atLeast: high)
                guard last - first < 7 else { continue }
                while last - first < 3 {
                    if last > 0 || first >= 0 { last += 1 } else { first -= 1 }
                }
                ticks = stride(from: first, through: last, by: 1).map {
                    Self.value($0 * multiplier.units, exponent: stepExponent)
                }
                self.stepExponent = stepExponent
                return
            }
            exponent += 1
        }
    }

    /// The lowest tick, where the axis starts.
    var lower: Double { ticks[0] }

    /// The highest tick, where the axis ends.
    var upper: Double { ticks[ticks.count - 1] }

    /// The ticks as axis labels, in compact units with the decimals the step needs.
    var labels: [String] { ticks.map { NumberFormat.tick($0, stepExponent: stepExponent) } }

    /// Where `value` lies along the axis: 0 at the lowest tick, 1 at the highest.
    func fraction(of value: Double) -> Double {
        (value - lower) / (upper - lower)
    }

    /// `units` × 10^`exponent`, rounded once, so that 3 × 10^−3 is the double nearest 0.003.
    private static func value(_ units: Double, exponent: Int) -> Double {
        var power = 1.0
        for _ in 0..<abs(exponent) { power *= 10 }
        return exponent >= 0 ? units * power : units / power
    }

    /// How many steps from zero the last tick at or below `value` is.
    ///
    /// A value less than a billionth of a step past a tick, which is often only rounding
    /// (0.006 / 0.002 is 2.9999999999999996), counts as on it.
    private static func lowerMultiple(of step: Double, atMost value: Double) -> Double {
        let quotient = value / step
        return (quotient + tolerance(quotient)).rounded(.down)
    }

    /// How many steps from zero the first tick at or above `value` is.
    private static func upperMultiple(of step: Double, atLeast value: Double) -> Double {
        let quotient = value / step
        return (quotient - tolerance(quotient)).rounded(.up)
    }

    /// A billionth of a step, plus the rounding error a quotient this large may carry.
    private static func tolerance(_ quotient: Double) -> Double {
        1e-9 + abs(quotient) * 1e-15
    }
}
