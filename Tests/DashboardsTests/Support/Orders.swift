import Core
import Foundation
import Sync

@testable import Dashboards

/// Eight orders whose metrics are worked out by hand in the tests: three of them fall on the
/// edges of a week (Sunday 23:59:59 and Monday 00:00), one has no region, one no quantity and
/// one no note.
enum Orders {
    static let csv = """
        id,region,amount,qty,paid,ordered_at,note
        1,EU,100,1,true,2026-01-05T10:15:00Z,alpha
        2,EU,50.5,2,false,2026-01-05T11:45:00Z,beta
        3,US,200,3,true,2026-01-07T09:00:00Z,gamma
        4,US,25,,true,2026-01-11T23:59:59Z,delta
        5,APAC,75,5,false,2026-01-12T00:00:00Z,epsilon
        6,APAC,10,1,true,2026-02-02T08:00:00Z,
        7,LATAM,5,1,false,2026-03-15T12:00:00Z,zeta_%
        8,,40,2,true,2026-03-16T12:00:00Z,Eta
        """

    /// A widget over `source` of `kind`; the other members as given.
    static func widget(
        _ kind: WidgetKind, _ source: Source, metric: Metric = .count, groupBy: String? = nil, time: TimeAxis? = nil,
        filters: [RecordFilter] = [], sort: WidgetSort? = nil, limit: Int? = nil, columns: [String] = []
    ) -> Widget {
        Widget(
            id: "w", title: "Probe", kind: kind, sourceID: source.id, metric: metric, groupBy: groupBy, time: time,
            filters: filters, sort: sort, limit: limit, columns: columns)
    }
}

/// A time written as RFC 3339.
func time(_ text: String) -> Date {
    Timestamp.parse(text)!
}

extension WidgetResult {
    /// The figure of a number widget.
    var number: NumberResult? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The points of a line widget, as start times and values.
    var points: [SeriesPoint] {
        if case .series(let series) = self { return series.points }
        return []
    }

    /// The groups as (label, value), "Other" marked with a star.
    var groups: [(String?, Double?)] {
        guard case .groups(let groups) = self else { return [] }
        return groups.rows.map { ($0.isOther ? "*" + ($0.label ?? "") : $0.label, $0.value) }
    }

    /// The table of records.
    var table: TableResult? {
        if case .table(let table) = self { return table }
        return nil
    }
}
