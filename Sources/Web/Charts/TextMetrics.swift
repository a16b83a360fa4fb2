/// Estimates of how wide text renders, for laying out labels without a font at hand.
///
/// Widths are in ems of a typical sans-serif face and err on the wide side, so labels placed by
/// them may sit a little apart but do not overlap. Chinese, Japanese and Korean characters and
/// emoji count a full em.
enum TextMetrics {
    /// The estimated width of `text` at `fontSize`.
    static func width(of text: String, fontSize: Double) -> Double {
        text.reduce(0) { $0 + ems($1) } * fontSize
    }

    /// `text`, cut and ended with an ellipsis if it would be wider than `width`.
    static func truncate(_ text: String, toWidth width: Double, fontSize: Double) -> String {
        guard Self.width(of: text, fontSize: fontSize) > width else { return text }
        let budget = width / fontSize - ems("\u{2026}")
        var used = 0.0
        var kept = ""
        for character in text {
            used += ems(character)
            guard used <= budget else { break }
            kept.append(character)
        }
        return kept + "\u{2026}"
    }

    private static func ems(_ character: Character) -> Double {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        switch scalar.value {
        case 0x20, 0x21, 0x27, 0x2C, 0x2E, 0x3A, 0x3B, 0x49, 0x69, 0x6A, 0x6C, 0x7C:
            return 0.3
        case 0x66, 0x72, 0x74:
            return 0.4
        case 0x25, 0x40, 0x4D, 0x57, 0x6D, 0x77:
            return 0.9
        case 0x41...0x5A:
            return 0.7
        case 0x21...0x7E:
            return 0.6
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD:
            return 1
        default:
            return 0.65
        }
    }
}
