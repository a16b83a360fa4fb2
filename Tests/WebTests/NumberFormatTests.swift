import Core
import Foundation
import Testing

@testable import Web

@Suite("Number formatting") struct NumberFormatTests {
    @Test(arguments: [
        (0.0, "0"), (7, "7"), (950, "950"), (12_345, "12,345"), (1_234_567, "1,234,567"), (-1_234, "−1,234"),
        (12.5, "12.5"), (12.345, "12.35"), (2.675, "2.68"), (0.5, "0.5"), (0.001234, "0.0012"), (-0.001, "−0.001"),
        (1e21, "1,000,000,000,000,000,000,000"),
    ])
    func groupsThousandsWithTheDecimalsANumberNeeds(value: Double, expected: String) {
        #expect(NumberFormat.grouped(value) == expected)
    }

    @Test(arguments: [
        (1_234_567.891, 2, "1,234,567.89"), (12, 2, "12.00"), (0.5, 0, "1"), (-0.5, 0, "−1"), (-0.004, 2, "0.00"),
        (999.995, 2, "1,000.00"), (1e-7, 3, "0.000"),
    ])
    func fixedDecimalsRoundHalfAwayFromZero(value: Double, decimals: Int, expected: String) {
        #expect(NumberFormat.grouped(value, decimals: decimals) == expected)
    }

    @Test(arguments: [
        (0.0, "0"), (950, "950"), (999, "999"), (999.6, "1k"), (1_000, "1k"), (1_200, "1.2k"), (1_250, "1.3k"),
        (12_345, "12.3k"), (99_960, "100k"), (123_456, "123k"), (999_499, "999k"), (999_500, "1M"),
        (999_950, "1M"), (4_500_000, "4.5M"), (999_999_999, "1B"), (1_200_000_000, "1.2B"),
        (3.4e12, "3.4T"), (5e15, "5,000T"), (12.34, "12.3"), (0.456, "0.46"), (0.0012, "0.0012"),
        (-1_234, "−1.2k"), (-999_999, "−1M"), (-0.04, "−0.04"), (-950, "−950"),
    ])
    func compactUnitsRollOverInsteadOfShowingAThousand(value: Double, expected: String) {
        #expect(NumberFormat.compact(value) == expected)
    }

    @Test func valuesThatAreNotNumbersShowADash() {
        #expect(NumberFormat.compact(.nan) == "—")
        #expect(NumberFormat.grouped(.infinity) == "—")
        #expect(NumberFormat.percent(-.infinity) == "—")
    }

    @Test func percentagesCarryASignAndATrueMinus() {
        #expect(NumberFormat.percent(0.125, signed: true) == "+12.5%")
        #expect(NumberFormat.percent(-0.031, signed: true) == "\u{2212}3.1%")
        #expect(NumberFormat.percent(-0.031) == "\u{2212}3.1%")
        #expect(NumberFormat.percent(0.25) == "25.0%")
        #expect(NumberFormat.percent(0.25, decimals: 0) == "25%")
        #expect(NumberFormat.percent(12.345, decimals: 0, signed: true) == "+1,235%")
        #expect(NumberFormat.percent(0, signed: true) == "0.0%")
        #expect(NumberFormat.percent(-0.00001, signed: true) == "0.0%")
        #expect(NumberFormat.percent(0.07) == "7.0%")
    }

    @Test func svgNumbersUseAHyphenAndNoGrouping() {
        #expect(NumberFormat.svg(1234.5678) == "1234.57")
        #expect(NumberFormat.svg(-3.1) == "-3.1")
        #expect(NumberFormat.svg(-0.001) == "0")
        #expect(NumberFormat.svg(120) == "120")
    }

    @Test func escapingLeavesNoMarkupBehind() {
        #expect(
            Markup.escape(#"<script>alert("x" & 'y')</script>"#)
                == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        #expect(Markup.escape("tab\there\u{1}") == "tab\there\u{FFFD}")
    }
}

@Suite("Date labels") struct DateLabelTests {
    private let moment = utc("2026-01-05T14:00:00Z")

    @Test func eachBucketHasItsOwnLabel() {
        #expect(TimeBucket.hour.label(for: moment) == "Jan 5 14:00")
        #expect(TimeBucket.day.label(for: moment) == "Jan 5")
        #expect(TimeBucket.week.label(for: moment) == "Jan 5")
        #expect(TimeBucket.month.label(for: moment) == "Jan 2026")
    }

    @Test func aYearIsShownWhenAsked() {
        #expect(TimeBucket.hour.label(for: moment, withYear: true) == "Jan 5 2026 14:00")
        #expect(TimeBucket.day.label(for: moment, withYear: true) == "Jan 5 2026")
        #expect(TimeBucket.month.label(for: moment, withYear: true) == "Jan 2026")
    }

    @Test func labelsAreInUTCAcrossTheCalendar() {
        #expect(TimeBucket.hour.label(for: utc("2024-02-29T23:59:59Z")) == "Feb 29 23:59")
        #expect(TimeBucket.day.label(for: utc("1969-12-31T23:00:00Z"), withYear: true) == "Dec 31 1969")
        #expect(TimeBucket.day.label(for: utc("2100-03-01T00:00:00Z"), withYear: true) == "Mar 1 2100")
        #expect(TimeBucket.month.label(for: utc("2000-12-31T12:00:00Z")) == "Dec 2000")
    }

    @Test func calendarArithmeticMatchesTheSystemClock() {
        for days in stride(from: -719_162, through: 2_932_896, by: 997) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400 + 3_723)
            let fields = CivilTime(date)
            var seconds = time_t(days) * 86_400 + 3_723
            var expected = tm()
            gmtime_r(&seconds, &expected)
            #expect(fields.year == Int(expected.tm_year) + 1900)
            #expect(fields.month == Int(expected.tm_mon) + 1)
            #expect(fields.day == Int(expected.tm_mday))
            #expect(fields.hour == 1 && fields.minute == 2)
            #expect(CivilTime.days(year: fields.year, month: fields.month, day: fields.day) == days)
        }
    }
}

/// The moment an RFC 3339 timestamp names.
func utc(_ text: String) -> Date {
    Timestamp.parse(text)!
}
