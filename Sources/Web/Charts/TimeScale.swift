import Foundation

/// A time axis with one band per bucket, from the first bucket that holds data to the last.
///
/// Buckets without data keep their place, so a gap in the data shows as a gap on the axis. Positions
/// are computed from a bucket's number, never by listing the buckets, so a long span costs nothing.
struct TimeScale {
    /// What one band stands for.
    let bucket: TimeBucket
    /// The ordinal (see `TimeBucket.ordinal(of:)`) of the first bucket.
    let origin: Int
    /// How many buckets the axis spans.
    let count: Int

    /// An axis covering `dates`, which must not be empty.
    init(dates: [Date], bucket: TimeBucket) {
        let ordinals = dates.map(bucket.ordinal(of:))
        let first = ordinals.min() ?? 0
        self.bucket = bucket
        origin = first
        count = ((ordinals.max() ?? first) - first) / bucket.stride + 1
    }

    /// The bucket that `date` falls in, counted from 0 at the first.
    func index(of date: Date) -> Int {
        (bucket.ordinal(of: date) - origin) / bucket.stride
    }

    /// The start of bucket `index`.
    func date(at index: Int) -> Date {
        bucket.start(ofOrdinal: origin + index * bucket.stride)
    }

    /// The buckets that get a label, and the label, so that no two overlap when each band is
    /// `bandWidth` wide and text is `fontSize`.
    ///
    /// Labels fall on every bucket if they fit, else on every n-th, where n is a natural step of the
    /// bucket (every 6 hours, every 7 days, every quarter) aligned to the calendar for hours and
    /// months; days that are too narrow even for a label a fortnight are labelled on the first of
    /// every month or every few months. A label whose year differs from the label before it shows
    /// the year.
    func labels(bandWidth: Double, fontSize: Double) -> [(index: Int, text: String)] {
        let gap = fontSize
        let narrowest = TextMetrics.width(of: bucket.label(for: date(at: 0)), fontSize: fontSize) - fontSize
        var attempt = 0
        while true {
            let plan = LabelPlan(bucket, attempt: attempt)
            attempt += 1
            let spacing = Double(plan.leastDistance) * bandWidth
            guard spacing >= narrowest + gap || plan.leastDistance >= count else { continue }
            let labels = labels(plan)
            guard !labels.isEmpty else { return self.labels(.every(count)) }
            let widest = labels.map { TextMetrics.width(of: $0.text, fontSize: fontSize) }.max() ?? 0
            if spacing >= widest + gap || labels.count == 1 { return labels }
        }
    }

    /// The labels `plan` puts on the axis.
    private func labels(_ plan: LabelPlan) -> [(index: Int, text: String)] {
        var indices: [Int] = []
        switch plan {
        case .every(let step):
            var first = 0
            if bucket == .hour || bucket == .month {
                let offset = (step - origin % step) % step
                if offset < count { first = offset }
            }
            indices = Array(Swift.stride(from: first, to: count, by: step))
        case .months(let step):
            let firstMonth = TimeBucket.month.ordinal(of: date(at: 0))
            let lastMonth = TimeBucket.month.ordinal(of: date(at: count - 1))
            for month in firstMonth...lastMonth where month % step == 0 {
                let index = index(of: TimeBucket.month.start(ofOrdinal: month))
                if index >= 0, index < count { indices.append(index) }
            }
        }
        var labels: [(index: Int, text: String)] = []
        var previousYear: Int?
        for index in indices {
            let start = date(at: index)
            let year = CivilTime(start).year
            labels.append((index, bucket.label(for: start, withYear: previousYear.map { $0 != year } ?? false)))
            previousYear = year
        }
        return labels
    }
}

/// One way of choosing the buckets that get a label; `TimeScale` tries them sparsest last.
private enum LabelPlan {
    /// Every n-th bucket.
    case every(Int)
    /// The first day of every n-th month, for day buckets.
    case months(Int)

    /// Steps worth trying for each bucket, each a natural unit of it (six hours, a week of days, a
    /// quarter of months); past the list, months for days and doublings of the last step otherwise.
    private static func steps(_ bucket: TimeBucket) -> [Int] {
        switch bucket {
        case .hour: return [1, 2, 3, 6, 12, 24, 48, 168]
        case .day: return [1, 2, 7, 14]
        case .week: return [1, 2, 4, 13, 26, 52]
        case .month: return [1, 2, 3, 6, 12]
        }
    }

    private static let monthSteps = [1, 2, 3, 6, 12]

    /// The plan to try after `attempt` sparser ones failed.
    init(_ bucket: TimeBucket, attempt: Int) {
        let steps = Self.steps(bucket)
        if attempt < steps.count {
            self = .every(steps[attempt])
            return
        }
        let beyond = attempt - steps.count
        if bucket == .day {
            let months = Self.monthSteps
            self = .months(
                beyond < months.count ? months[beyond] : months[months.count - 1] << (beyond - months.count + 1))
        } else {
            self = .every(steps[steps.count - 1] << (beyond + 1))
        }
    }

    /// The fewest buckets between two labels of this plan.
    var leastDistance: Int {
        switch self {
        case .every(let step): return step
        case .months(let step): return 28 * step
        }
    }
}
