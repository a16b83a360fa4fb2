import Foundation
import Testing

@testable import Web

@Suite("Scales") struct ScaleTests {
    @Test(arguments: [
        ([0.0, 7], true, [0.0, 2, 4, 6, 8]),
        ([0, 1_234_567], true, [0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000]),
        ([-50, 120], false, [-50, 0, 50, 100, 150]),
        ([0.001, 0.009], false, [0, 0.002, 0.004, 0.006, 0.008, 0.01]),
        ([0.0012, 0.0019], false, [0.0012, 0.0014, 0.0016, 0.0018, 0.002]),
        ([5, 5, 5], false, [0, 1, 2, 3, 4, 5]),
        ([2.5], false, [0, 0.5, 1, 1.5, 2, 2.5]),
        ([0, 0], true, [0, 1, 2, 3]),
        ([], true, [0, 1, 2, 3]),
        ([-80, -10], true, [-80, -60, -40, -20, 0]),
        ([-3, -3], false, [-3, -2, -1, 0]),
        ([1, 2], true, [0, 1, 2, 3]),
        ([101, 104], false, [101, 102, 103, 104]),
        ([10_200, 11_900], false, [10_000, 10_500, 11_000, 11_500, 12_000]),
    ])
    func ticksAreRoundAndCoverTheValues(values: [Double], includingZero: Bool, expected: [Double]) {
        #expect(LinearScale(covering: values, includingZero: includingZero).ticks == expected)
    }

    @Test func everyRangeGetsFourToSevenEvenRoundTicks() {
        let allowed: [Double] = [1, 2, 5, 25]
        var ranges: [(Double, Double)] = []
        for low in [-1e6, -345, -1, 0, 0.003, 2, 97, 10_001] {
            for span in [1e-3, 0.37, 1, 3, 9.99, 42, 1_000, 87_654, 3e8] {
                ranges.append((low, low + span))
            }
        }
        for (low, high) in ranges {
            let scale = LinearScale(covering: [low, high], includingZero: false)
            let ticks = scale.ticks
            let step = ticks[1] - ticks[0]
            // Data within a billionth of a step past the last tick counts as on it.
            let slack = step * 1e-9
            #expect((4...7).contains(ticks.count), "\(low)…\(high): \(ticks)")
            #expect(scale.lower <= low + slack && scale.upper >= high - slack, "\(low)…\(high): \(ticks)")
            var power = 1.0
            for _ in 0..<abs(scale.stepExponent) { power *= 10 }
            let units = scale.stepExponent >= 0 ? step / power : step * power
            #expect(allowed.contains { abs(units - $0) < $0 * 1e-6 }, "\(low)…\(high): step \(step)")
            let precision = ticks.map(abs).max()! * 1e-14
            for (previous, next) in zip(ticks, ticks.dropFirst()) {
                #expect(abs(next - previous - step) <= precision, "\(low)…\(high): \(ticks)")
            }
        }
    }

    @Test func tickLabelsKeepTheDecimalsTheStepNeeds() {
        let large = LinearScale(covering: [0, 1_234_567], includingZero: true)
        #expect(large.labels == ["0", "250k", "500k", "750k", "1M", "1.25M"])
        let small = LinearScale(covering: [0.001, 0.009], includingZero: false)
        #expect(small.labels == ["0", "0.002", "0.004", "0.006", "0.008", "0.01"])
        let negative = LinearScale(covering: [-50, 120], includingZero: false)
        #expect(negative.labels == ["\u{2212}50", "0", "50", "100", "150"])
        let fractional = LinearScale(covering: [0, 2.5], includingZero: true)
        #expect(fractional.labels == ["0", "0.5", "1", "1.5", "2", "2.5"])
    }

    @Test func positionsRunFromTheLowestTickToTheHighest() {
        let scale = LinearScale(covering: [-50, 120], includingZero: false)
        #expect(scale.fraction(of: -50) == 0)
        #expect(scale.fraction(of: 150) == 1)
        #expect(scale.fraction(of: 0) == 0.25)
    }

    @Test func timeScalePlacesBucketsAndKeepsGaps() {
        let dates = ["2026-01-01", "2026-01-02", "2026-01-05"].map { utc($0 + "T00:00:00Z") }
        let scale = TimeScale(dates: dates, bucket: .day)
        #expect(scale.count == 5)
        #expect(scale.index(of: utc("2026-01-05T13:30:00Z")) == 4)
        #expect(scale.date(at: 2) == utc("2026-01-03T00:00:00Z"))

        let months = TimeScale(dates: [utc("2025-11-01T00:00:00Z"), utc("2026-02-01T00:00:00Z")], bucket: .month)
        #expect(months.count == 4)
        #expect(months.date(at: 2) == utc("2026-01-01T00:00:00Z"))

        let weeks = TimeScale(dates: [utc("2026-01-04T00:00:00Z"), utc("2026-01-25T00:00:00Z")], bucket: .week)
        #expect(weeks.count == 4)
        #expect(weeks.date(at: 1) == utc("2026-01-11T00:00:00Z"))
    }

    @Test func timeLabelsAllShowWhenThereIsRoom() {
        let dates = (1...7).map { utc("2026-03-0\($0)T00:00:00Z") }
        let labels = TimeScale(dates: dates, bucket: .day).labels(bandWidth: 60, fontSize: 12)
        #expect(labels.map(\.text) == ["Mar 1", "Mar 2", "Mar 3", "Mar 4", "Mar 5", "Mar 6", "Mar 7"])
    }

    @Test(arguments: [TimeBucket.hour, .day, .week, .month], [320.0, 480, 1200])
    func timeLabelsThinOutSoTheyNeverOverlap(bucket: TimeBucket, width: Double) {
        let start = utc("2025-06-01T00:00:00Z")
        let dates = (0..<400).map { bucket.start(ofOrdinal: bucket.ordinal(of: start) + $0 * bucket.stride) }
        let scale = TimeScale(dates: dates, bucket: bucket)
        let fontSize = 14.0
        let band = width / Double(scale.count)
        let labels = scale.labels(bandWidth: band, fontSize: fontSize)
        #expect(labels.count >= 2)
        for (left, right) in zip(labels, labels.dropFirst()) {
            let distance = Double(right.index - left.index) * band
            let needed =
                (TextMetrics.width(of: left.text, fontSize: fontSize)
                    + TextMetrics.width(of: right.text, fontSize: fontSize)) / 2
            #expect(distance >= needed, "\(left.text) and \(right.text) overlap")
        }
    }

    @Test func labelsAlignToTheCalendarAndNameNewYears() {
        let dates = (0..<24).map { utc("2025-01-01T00:00:00Z").addingTimeInterval(Double($0) * 31 * 86_400) }
        let scale = TimeScale(dates: dates, bucket: .month)
        let labels = scale.labels(bandWidth: 20, fontSize: 12)
        #expect(labels.map(\.text) == ["Jan 2025", "Jul 2025", "Jan 2026", "Jul 2026"])

        let days = (0..<10).map { utc("2025-12-27T00:00:00Z").addingTimeInterval(Double($0) * 86_400) }
        let dayLabels = TimeScale(dates: days, bucket: .day).labels(bandWidth: 100, fontSize: 12).map(\.text)
        #expect(dayLabels.contains("Jan 1 2026"))
        #expect(dayLabels.contains("Jan 2"))
        #expect(dayLabels.first == "Dec 27")

        let hours = (0..<48).map { utc("2026-01-05T01:00:00Z").addingTimeInterval(Double($0) * 3600) }
        let hourLabels = TimeScale(dates: hours, bucket: .hour).labels(bandWidth: 8, fontSize: 12).map(\.text)
        #expect(hourLabels == ["Jan 5 12:00", "Jan 6 00:00", "Jan 6 12:00", "Jan 7 00:00"])
    }
}
