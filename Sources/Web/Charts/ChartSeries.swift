import Foundation

/// One named line of a line chart: a value per time bucket.
public struct ChartSeries: Sendable {
    /// The name shown in the legend and tooltips.
    public var name: String
    /// The values, each at the start of its bucket, in any order.
    ///
    /// Charts leave out points whose value is not finite or whose date lies outside the years 1 to
    /// 9999; of two points in the same bucket, the later in the list counts.
    public var points: [(date: Date, value: Double)]

    /// Creates a series from its name and `(date, value)` points.
    public init(name: String, points: [(Date, Double)]) {
        self.name = name
        self.points = points.map { (date: $0.0, value: $0.1) }
    }

    /// The points a chart can place: a finite value at a moment that has a date.
    var plottablePoints: [(date: Date, value: Double)] {
        points.filter { $0.value.isFinite && CivilTime.representable.contains($0.date.timeIntervalSince1970) }
    }
}
