import Core
import Foundation
import Testing

@Suite("Timestamp formatting") struct TimestampFormattingTests {
    /// The format written the slow, obvious way, to hold the digit-by-digit one to.
    private func reference(_ date: Date, digits: Int) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if digits > 0 {
            var scale = 1
            for _ in 0..<digits { scale *= 10 }
            let fraction = min(Int((interval - interval.rounded(.down)) * Double(scale)), scale - 1)
            text += "." + String(format: "%0\(digits)d", fraction)
        }
        return text + "Z"
    }

    @Test func formattingMatchesTheReferenceAndParsesBack() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...4_000_000_000, using: &generator))
            for digits in [0, 3, 6] {
                let text = Timestamp.rfc3339(date, fractionalDigits: digits)
                #expect(text == reference(date, digits: digits))
                let parsed = Timestamp.parse(text)
                #expect(parsed.map { abs($0.timeIntervalSince(date)) < 1 } == true)
            }
        }
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test func parsingTakesOffsetsAndRefusesNearMisses() {
        #expect(Timestamp.parse("2026-12-04T10:00:00+02:00") == Timestamp.parse("2026-12-04T08:00:00Z"))
        #expect(
            Timestamp.parse("2026-12-04T10:00:00.5Z")?.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) == 0.5)
        for text in ["2026-12-04", "2026-12-04 10:00:00Z", "2026-13-04T10:00:00Z", "2026-12-04T10:00:00", "x"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}
