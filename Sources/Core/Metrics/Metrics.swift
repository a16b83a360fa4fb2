import Synchronization

/// A set of label values identifying one series within a metric family, in the family's label order.
public typealias LabelValues = [String]

/// The metrics of one process, rendered in the Prometheus text exposition format.
///
/// Families are registered once at start-up; updating a series takes one short lock, cheap enough
/// for per-request use.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])

    /// Creates an empty registry; families are added through the registering methods.
    public init() {}

    /// Registers a counter family; `labels` names its dimensions.
    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        register(Counter(name: name, help: help, labels: labels))
    }

    /// Registers a gauge family that callers set directly; `labels` names its dimensions.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        register(Gauge(name: name, help: help, labels: labels))
    }

    /// Registers a histogram with ascending upper bounds (seconds for latencies).
    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double]) -> Histogram {
        register(Histogram(name: name, help: help, labels: labels, buckets: buckets))
    }

    /// Registers a gauge whose value is read when metrics are rendered, such as a pool size.
    public func gauge(_ name: String, help: String, read: @escaping @Sendable () -> Double) {
        _ = register(ComputedGauge(name: name, help: help, read: read))
    }

    /// The whole registry in Prometheus text format, families in registration order.
    public func render() -> String {
        var text = ""
        for family in families.withLock({ $0 }) {
            family.render(into: &text)
        }
        return text
    }

    private func register<Family: MetricFamily>(_ family: Family) -> Family {
        families.withLock { $0.append(family) }
        return family
    }
}

protocol MetricFamily: Sendable {
    func render(into text: inout String)
}

/// A monotonically increasing count per label set.
public final class Counter: MetricFamily {
    let name: String
    let help: String
    let labels: [String]
    private let values = Mutex<[LabelValues: Double]>([:])

    init(name: String, help: String, labels: [String]) {
        self.name = name
        self.help = help
        self.labels = labels
    }

    /// Adds `amount` to the series for `labelValues`, creating it at zero if new.
    public func increment(_ labelValues: LabelValues = [], by amount: Double = 1) {
        values.withLock { $0[labelValues, default: 0] += amount }
    }

    /// The current value of one series; tests read it.
    public func value(_ labelValues: LabelValues = []) -> Double {
        values.withLock { $0[labelValues] ?? 0 }
    }

    func render(into text: inout String) {
        header(&text, name: name, help: help, type: "counter")
        for (key, value) in values.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            text += name + formatLabels(labels, key) + " " + formatNumber(value) + "\n"
        }
    }
}

/// A value that goes up and down per label set.
public final class Gauge: MetricFamily {
    let name: String
    let help: String
    let labels: [String]
    private let values = Mutex<[LabelValues: Double]>([:])

    init(name: String, help: String, labels: [String]) {
        self.name = name
        self.help = help
        self.labels = labels
    }

    /// Replaces the value of the series for `labelValues`.
    public func set(_ value: Double, _ labelValues: LabelValues = []) {
        values.withLock { $0[labelValues] = value }
    }

    /// Adds `amount`, which may be negative, to the series for `labelValues`.
    public func add(_ amount: Double, _ labelValues: LabelValues = []) {
        values.withLock { $0[labelValues, default: 0] += amount }
    }

    /// The current value of one series; zero if it was never set.
    public func value(_ labelValues: LabelValues = []) -> Double {
        values.withLock { $0[labelValues] ?? 0 }
    }

    func render(into text: inout String) {
        header(&text, name: name, help: help, type: "gauge")
        for (key, value) in values.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            text += name + formatLabels(labels, key) + " " + formatNumber(value) + "\n"
        }
    }
}

final class ComputedGauge: MetricFamily {
    let name: String
    let help: String
    let read: @Sendable () -> Double

    init(name: String, help: String, read: @escaping @Sendable () -> Double) {
        self.name = name
        self.help = help
        self.read = read
    }

    func render(into text: inout String) {
        header(&text, name: name, help: help, type: "gauge")
        text += name + " " + formatNumber(read()) + "\n"
    }
}

/// Observations counted into cumulative buckets per label set.
public final class Histogram: MetricFamily {
    let name: String
    let help: String
    let labels: [String]
    let buckets: [Double]
    private let series = Mutex<[LabelValues: Series]>([:])

    struct Series {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0

        mutating func record(_ value: Double, in bucket: Int) {
            counts[bucket] += 1
            sum += value
            count += 1
        }
    }

    /// Latency buckets in seconds, from 0.5 ms to 10 s.
    public static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    init(name: String, help: String, labels: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.labels = labels
        self.buckets = buckets
    }

    /// Records one observation, such as a request duration, in the series for `labelValues`.
    public func observe(_ value: Double, _ labelValues: LabelValues = []) {
        let bucket = buckets.firstIndex { value <= $0 } ?? buckets.count
        let empty = buckets.count + 1
        series.withLock { all in
            // Mutated in place through the dictionary's modify accessor, so the bucket array is
            // never copied.
            all[labelValues, default: Series(counts: Array(repeating: 0, count: empty))].record(value, in: bucket)
        }
    }

    /// How many observations one series holds; tests read it.
    public func count(_ labelValues: LabelValues = []) -> UInt64 {
        series.withLock { $0[labelValues]?.count ?? 0 }
    }

    func render(into text: inout String) {
        header(&text, name: name, help: help, type: "histogram")
        let labelsWithBound = labels + ["le"]
        for (key, entry) in series.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var cumulative: UInt64 = 0
            for (index, bound) in buckets.enumerated() {
                cumulative += entry.counts[index]
                text += name + "_bucket" + formatLabels(labelsWithBound, key + [formatNumber(bound)])
                text += " \(cumulative)\n"
            }
            text += name + "_bucket" + formatLabels(labelsWithBound, key + ["+Inf"]) + " \(entry.count)\n"
            text += name + "_sum" + formatLabels(labels, key) + " " + formatNumber(entry.sum) + "\n"
            text += name + "_count" + formatLabels(labels, key) + " \(entry.count)\n"
        }
    }
}

private func header(_ text: inout String, name: String, help: String, type: String) {
    text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
}

private func formatLabels(_ names: [String], _ values: LabelValues) -> String {
    guard !names.isEmpty else { return "" }
    let pairs = zip(names, values).map { name, value in
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return "\(name)=\"\(escaped)\""
    }
    return "{" + pairs.joined(separator: ",") + "}"
}

private func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return value.description
}
