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
}
