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

    /// Across years 1 to 9999 and beyond, both ways, against the C library's calendar.
    @Test func calendarArithmeticMatchesTheCLibrary() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(Timestamp.rfc3339(date) == reference(date, digits: 0))
            #expect(Timestamp.parse(Timestamp.rfc3339(date)) == date)

            var parts = tm()
            parts.tm_year = Int32.random(in: -1899...8099, using: &generator)
            parts.tm_mon = Int32.random(in: 0...11, using: &generator)
            parts.tm_mday = Int32.random(in: 1...31, using: &generator)
            parts.tm_hour = Int32.random(in: 0...23, using: &generator)
            parts.tm_min = Int32.random(in: 0...59, using: &generator)
            parts.tm_sec = Int32.random(in: 0...60, using: &generator)
            let text = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
            #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: Double(timegm(&parts))), "\(text)")
        }
        let far = Date(timeIntervalSince1970: 1e13)
        #expect(Timestamp.rfc3339(far, fractionalDigits: 3) == reference(far, digits: 3))
        #expect(Timestamp.rfc3339(seconds: 0, fraction: 5, fractionalDigits: 3) == "1970-01-01T00:00:00.005Z")
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
