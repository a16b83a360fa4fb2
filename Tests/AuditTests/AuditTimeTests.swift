import Core
import Foundation
import Testing

@testable import Audit

@Suite("Audit time")
struct AuditTimeTests {
    /// Years 1900 to 2100: far enough from 1970 for any audit event, near enough for a `Date`
    /// to hold every microsecond exactly.
    @Test
    func sqliteTextMatchesTheStorageFormat() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, -1, 999, 1000, -86_400_000, 951_782_400_000, 4_102_444_799_999]
        for _ in 0..<2_000 {
            samples.append(Int64.random(in: -2_208_988_800_000...4_102_444_799_999, using: &generator))
        }
        for milliseconds in samples {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            // The storage layer's form: rounded to the microsecond, six digits.
            let expected = Timestamp.rfc3339(date.addingTimeInterval(0.000_000_5), fractionalDigits: 6)
            #expect(AuditTime.sqliteText(milliseconds: milliseconds) == expected, "\(milliseconds)")
            #expect(AuditTime.text(milliseconds: milliseconds) == expected.prefix(23) + "Z")
            #expect(AuditTime.milliseconds(date) == milliseconds)
            #expect(AuditTime.storedMilliseconds(date) == milliseconds)
        }
        #expect(AuditTime.storedMilliseconds(Date(timeIntervalSince1970: 1.000_5)) == nil)
    }

    /// Clocks outside years 1 to 9999 are kept at the nearest end of that range.
    @Test
    func timesOutsideRFC3339AreClamped() {
        let last = Date(timeIntervalSince1970: 253_402_300_799.999)
        #expect(AuditTime.milliseconds(last) == AuditTime.range.upperBound)
        #expect(AuditTime.text(milliseconds: AuditTime.range.upperBound) == "9999-12-31T23:59:59.999Z")
        #expect(AuditTime.text(milliseconds: AuditTime.range.lowerBound) == "0001-01-01T00:00:00.000Z")
        for future in [last.addingTimeInterval(0.001), Date(timeIntervalSince1970: 1e15)] {
            #expect(AuditTime.milliseconds(future) == AuditTime.range.upperBound, "\(future)")
        }
        for past in [Date(timeIntervalSince1970: -62_135_596_800.001), Date(timeIntervalSince1970: -1e15)] {
            #expect(AuditTime.milliseconds(past) == AuditTime.range.lowerBound, "\(past)")
        }
        #expect(AuditTime.milliseconds(Date(timeIntervalSince1970: -.infinity)) == AuditTime.range.lowerBound)
        #expect(AuditTime.milliseconds(Date(timeIntervalSince1970: .infinity)) == AuditTime.range.upperBound)
    }
}
