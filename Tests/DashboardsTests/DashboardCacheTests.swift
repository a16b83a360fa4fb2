import Foundation
import Storage
import Sync
import TestSupport
import Testing

@testable import Dashboards

/// Cached widget results: reused until a sync of their source commits, on every instance.
@Suite("Dashboard cache")
struct DashboardCacheTests {
    private static func dashboardWidgets(_ orders: Source) -> [Widget] {
        [
            Widget(id: "total", title: "Orders", kind: .number, sourceID: orders.id),
            Widget(
                id: "revenue", title: "Revenue", kind: .number, sourceID: orders.id,
                metric: Metric(.sum, field: "amount")),
            Widget(
                id: "regions", title: "By region", kind: .bar, sourceID: orders.id, groupBy: "region",
                sort: WidgetSort(.value, descending: true), limit: 3),
            Widget(
                id: "weekly", title: "Weekly", kind: .line, sourceID: orders.id,
                time: TimeAxis(field: "ordered_at", bucket: .week)),
        ]
    }

    @Test("Results are cached until a sync of their source commits", arguments: TestStore.all)
    func invalidation(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try DashboardFixture(database)
            let orders = try fixture.addSource("orders", csv: Orders.csv)
            let dashboard = try fixture.dashboards.create(
                DashboardDefinition(name: "Sales", widgets: Self.dashboardWidgets(orders)))

            let first = try fixture.dashboards.data(for: dashboard)
            #expect(first.map(\.cached) == [false, false, false, false])
            #expect(try first[0].outcome.get().number?.value == 8)
            let second = try fixture.dashboards.data(for: dashboard)
            #expect(second.map(\.cached) == [true, true, true, true])
            #expect(try second.map { try $0.outcome.get() } == first.map { try $0.outcome.get() })

            // Another instance on the same database has its own memory but the same versions.
            let other = DashboardService(database: database, logger: testLogger)
            #expect(try other.data(for: dashboard).map(\.cached) == [false, false, false, false])
            #expect(try other.data(for: dashboard).map(\.cached) == [true, true, true, true])

            try fixture.write(Orders.csv + "\n9,EU,1000,1,true,2026-03-17T00:00:00Z,new", to: "orders")
            try fixture.sync(orders)
            for service in [fixture.dashboards, other] {
                let after = try service.data(for: dashboard)
                #expect(after.map(\.cached) == [false, false, false, false])
                #expect(try after[0].outcome.get().number?.value == 9)
                #expect(try after[1].outcome.get().number?.value == 1505.5)
                #expect(try service.data(for: dashboard).map(\.cached) == [true, true, true, true])
            }
        }
    }

    @Test(
        "A widget whose source is deleted or whose field changed type reports an error; the others still show",
        arguments: TestStore.all)
    func brokenWidgets(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try DashboardFixture(database)
            let orders = try fixture.addSource("orders", csv: Orders.csv)
            let spare = try fixture.addSource("spare", csv: "id,n\n1,2\n")
            let widgets =
                Self.dashboardWidgets(orders) + [Widget(id: "spare", title: "Spare", kind: .number, sourceID: spare.id)]
            let dashboard = try fixture.dashboards.create(DashboardDefinition(name: "Sales", widgets: widgets))
            #expect(try fixture.dashboards.data(for: dashboard).allSatisfy { (try? $0.outcome.get()) != nil })

            // One amount that is not a number turns the column into text: a sum of it makes no sense.
            try fixture.write(Orders.csv.replacingOccurrences(of: "1,EU,100,", with: "1,EU,n/a,"), to: "orders")
            try fixture.sync(orders)
            try fixture.sync.sources.delete(id: spare.id)
            let data = try fixture.dashboards.data(for: dashboard)
            #expect(try data[0].outcome.get().number?.value == 8)
            guard case .failure(let changed) = data[1].outcome, case .failure(let gone) = data[4].outcome else {
                Issue.record("the broken widgets still have results")
                return
            }
            #expect(changed.kind == .invalidDefinition)
            #expect(changed.fields == ["metric.field": "amount holds text values; sum needs integer or real."])
            #expect(gone.kind == .sourceMissing)
            #expect(try data[2].outcome.get().groups.count == 4)

            // The statements behind the results carry the same errors, and only them.
            let statements = try fixture.dashboards.statements(for: dashboard)
            #expect(statements.map(\.widget.id) == widgets.map(\.id))
            #expect(statements.map { (try? $0.outcome.get()) != nil } == [true, false, true, true, false])
            if case .failure(let changed) = statements[1].outcome, case .failure(let gone) = statements[4].outcome {
                #expect(changed.kind == .invalidDefinition)
                #expect(changed.fields == ["metric.field": "amount holds text values; sum needs integer or real."])
                #expect(gone.kind == .sourceMissing)
            }
        }
    }

    @Test("The cache keeps at most its capacity, dropping the entry used least recently")
    func bounded() throws {
        let cache = WidgetResultCache(capacity: 2)
        let keys = (0..<3).map { index in
            WidgetResultCache.Key(
                widget: Widget(id: "w\(index)", title: "", kind: .number, sourceID: 1), anchor: nil)
        }
        let result = WidgetResultCache.Rendered(result: .number(NumberResult(value: 1)), json: [])
        cache.store(result, for: keys[0], version: 1)
        cache.store(result, for: keys[1], version: 1)
        #expect(cache.result(for: keys[0], version: 1) != nil)
        cache.store(result, for: keys[2], version: 1)
        #expect(cache.count == 2)
        #expect(cache.result(for: keys[1], version: 1) == nil)
        #expect(cache.result(for: keys[0], version: 1) != nil)
        #expect(cache.result(for: keys[0], version: 2) == nil)
        cache.store(result, for: keys[0], version: 2)
        cache.store(
            WidgetResultCache.Rendered(result: .number(NumberResult(value: 0)), json: []), for: keys[0], version: 1)
        #expect(cache.result(for: keys[0], version: 2)?.result == result.result)
        #expect(cache.count == 2)
    }

    @Test("Results counted back from the present are computed again when the current bucket changes")
    func anchors() {
        let number = Widget(
            id: "n", title: "", kind: .number, sourceID: 1, time: TimeAxis(field: "t", bucket: .day))
        #expect(WidgetQuery.anchor(of: number, now: time("2026-01-05T10:00:00Z")) == time("2026-01-05T00:00:00Z"))
        #expect(WidgetQuery.anchor(of: number, now: time("2026-01-06T00:00:00Z")) == time("2026-01-06T00:00:00Z"))
        var line = number
        line.kind = .line
        #expect(WidgetQuery.anchor(of: line, now: Date()) == nil)
        line.time?.last = 12
        #expect(WidgetQuery.anchor(of: line, now: time("2026-01-07T10:00:00Z")) == time("2026-01-07T00:00:00Z"))
        #expect(TimeBucket.week.start(of: time("2026-01-04T23:59:59Z")) == time("2025-12-29T00:00:00Z"))
        #expect(TimeBucket.month.advance(time("2026-01-01T00:00:00Z"), by: -2) == time("2025-11-01T00:00:00Z"))
    }
}
