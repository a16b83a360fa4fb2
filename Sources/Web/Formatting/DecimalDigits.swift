/// A non-negative number's decimal digits, rounded half away from zero to a fixed number of places.
///
/// The digits come from Swift's shortest round-trip text for a `Double`, so a number rounds the way it
/// reads: 2.675 becomes 2.68, although its binary value is 2.67499…. That text is produced by the
/// standard library itself, not by a locale-aware formatter, so the result is the same on every machine.
struct DecimalDigits {
    /// The digits before the point as ASCII, without leading zeros: `"0"` for a number below one.
    let whole: [UInt8]
    /// Exactly as many ASCII digits after the point as were asked for.
    let fraction: [UInt8]

    /// Rounds `magnitude`, a finite number that is zero or more, to `decimals` places.
    init(_ magnitude: Double, decimals: Int) {
        let decimals = max(decimals, 0)
        let (digits, point) = Self.shortest(magnitude)

        // The rounded number times 10^decimals, as a digit sequence; `keep` digits survive rounding.
        let keep = point + decimals
        var scaled: [UInt8]
        if keep < 0 {
            scaled = []
        } else if keep >= digits.count {
            scaled = digits + [UInt8](repeating: 0, count: keep - digits.count)
        } else {
            scaled = Array(digits[..<keep])
            if digits[keep] >= 5 { Self.increment(&scaled) }
        }

        if scaled.count <= decimals {
            scaled = [UInt8](repeating: 0, count: decimals + 1 - scaled.count) + scaled
        }
        let split = scaled.count - decimals
        var whole = Array(scaled[..<split])
        while whole.count > 1, whole[0] == 0 { whole.removeFirst() }
        self.whole = whole.map { $0 + UInt8(ascii: "0") }
        fraction = scaled[split...].map { $0 + UInt8(ascii: "0") }
    }

    /// True when every digit is zero, so the number shows no sign.
    var isZero: Bool {
        whole.allSatisfy { $0 == UInt8(ascii: "0") } && fraction.allSatisfy { $0 == UInt8(ascii: "0") }
    }

    /// The fraction digits without trailing zeros.
    var trimmedFraction: ArraySlice<UInt8> {
        var end = fraction.count
        while end > 0, fraction[end - 1] == UInt8(ascii: "0") { end -= 1 }
        return fraction[..<end]
    }

    /// Where the first significant digit of `magnitude` sits: 1 for 1–9.99, 0 for 0.1–0.99, −2 for
    /// 0.001–0.0099; 0 for zero.
    static func position(of magnitude: Double) -> Int {
        shortest(magnitude).point
    }

    /// The significant digits (values 0–9, first one nonzero) of `magnitude`'s shortest text, and how
    /// many of them come before the point, which is negative or past the end for very small or large
    /// numbers.
    private static func shortest(_ magnitude: Double) -> (digits: [UInt8], point: Int) {
        let text = magnitude.description
        let parts = text.split(separator: "e")
        var digits: [UInt8] = []
        var pointIndex: Int?
        for byte in parts[0].utf8 {
            if byte == UInt8(ascii: ".") {
                pointIndex = digits.count
            } else {
                digits.append(byte - UInt8(ascii: "0"))
            }
        }
        var point = (pointIndex ?? digits.count) + (parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
        while let first = digits.first, first == 0 {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        return digits.isEmpty ? ([], 0) : (digits, point)
    }

    /// Adds one to the last digit, carrying leftwards, and grows by a leading 1 past the first digit.
    private static func increment(_ digits: inout [UInt8]) {
        var index = digits.count - 1
        while index >= 0 {
            if digits[index] < 9 {
                digits[index] += 1
                return
            }
            digits[index] = 0
            index -= 1
        }
        digits.insert(1, at: 0)
    }
}
