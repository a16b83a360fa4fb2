import Foundation
import Sync
import TestSupport
import Testing

@testable import Dashboards

/// Widget results over eight synced orders, on both stores, against figures worked out by hand.
@Suite("Widget queries")
struct WidgetQueryTests {
    private func withOrders(_ store: TestStore, _ body: (DashboardFixture, Source) throws -> Void) throws {
        try withTestDatabase(store) { database in
            let fixture = try DashboardFixture(database)
            try body(fixture, try fixture.addSource("orders", csv: Orders.csv))
        }
    }

    @Test("Counts, sums, averages, minima and maxima over every record", arguments: TestStore.all)
    func metrics(store: TestStore) throws {
        try withOrders(store) { fixture, orders in
            func value(_ metric: Metric) throws -> Double? {
                try fixture.result(of: Orders.widget(.number, orders, metric: metric)).number?.value
            }
            #expect(try value(.count) == 8)
            #expect(try value(Metric(.sum, field: "amount")) == 505.5)
            #expect(try value(Metric(.avg, field: "amount")) == 63.1875)
            #expect(try value(Metric(.min, field: "amount")) == 5)
            #expect(try value(Metric(.max, field: "amount")) == 200)
            #expect(try value(Metric(.sum, field: "qty")) == 15)
            #expect(try value(Metric(.avg, field: "qty")) == 15.0 / 7)
            let none = [RecordFilter(field: "region", operation: .eq, value: "nowhere")]
            let empty = try fixture.result(
                of: Orders.widget(.number, orders, metric: Metric(.sum, field: "qty"), filters: none))
            #expect(empty.number?.value == 0)
            let noAverage = try fixture.result(
                of: Orders.widget(.number, orders, metric: Metric(.avg, field: "qty"), filters: none))
            #expect(noAverage.number?.value == nil)
            #expect(noAverage.number?.changePercent == nil)
        }
    }

    @Test(
        "Groups: the top N in order, and the rest folded into Other with the right aggregate", arguments: TestStore.all)
    func groups(store: TestStore) throws {
        try withOrders(store) { fixture, orders in
            func groups(
                _ kind: WidgetKind = .bar, metric: Metric = .count, by field: String = "region",
                sort: WidgetSort = WidgetSort(.value, descending: true), limit: Int
            ) throws -> [(String?, Double?)] {
                try fixture.result(
                    of: Orders.widget(kind, orders, metric: metric, groupBy: field, sort: sort, limit: limit)
                )
                .groups
            }
            // Ties in value are broken by label, and a null label comes last.
            #expect(try groups(limit: 2).map(\.0) == ["APAC", "EU", "*Other"])
            #expect(try groups(limit: 2).map(\.1) == [2, 2, 4])
            let sums = try groups(metric: Metric(.sum, field: "amount"), limit: 2)
            #expect(sums.map(\.0) == ["US", "EU", "*Other"])
            #expect(sums.map(\.1) == [225, 150.5, 130])
            // Other's average is over its records (280.5 / 6), not the average of its groups' averages.
            let averages = try groups(.pie, metric: Metric(.avg, field: "amount"), limit: 1)
            #expect(averages.map(\.0) == ["US", "*Other"])
            #expect(averages.map(\.1) == [112.5, 46.75])
            let maxima = try groups(.donut, metric: Metric(.max, field: "amount"), limit: 2)
            #expect(maxima.map(\.1) == [200, 100, 75])
            let minima = try groups(
                metric: Metric(.min, field: "amount"), sort: WidgetSort(.label, descending: false), limit: 3)
            #expect(minima.map(\.0) == ["APAC", "EU", "LATAM", "*Other"])
            #expect(minima.map(\.1) == [10, 50.5, 5, 25])

            let byLabel = try groups(.pie, sort: WidgetSort(.label, descending: false), limit: 10)
            #expect(byLabel.map(\.0) == ["APAC", "EU", "LATAM", "US", nil])
            let descending = try groups(sort: WidgetSort(.label, descending: true), limit: 2)
            #expect(descending.map(\.0) == ["US", "LATAM", "*Other"])
            let table = try groups(.table, limit: 2)
            #expect(table.map(\.0) == ["APAC", "EU"])
            let all = try groups(limit: 5)
            #expect(all.count == 5)
            #expect(!all.contains { $0.0 == "*Other" })
            let booleans = try groups(by: "paid", limit: 5)
            #expect(booleans.map(\.0) == ["true", "false"])
            #expect(booleans.map(\.1) == [5, 3])
        }
    }

    @Test(
        "Time buckets: hour, day, week from Monday and month, gaps filled, the latest N up to now",
        arguments: TestStore.all)
    func timeBuckets(store: TestStore) throws {
        try withOrders(store) { fixture, orders in
            func series(_ bucket: TimeBucket, _ metric: Metric = .count, last: Int? = nil, now: Date = Date())
                throws -> [SeriesPoint]
            {
                try fixture.result(
                    of: Orders.widget(
                        .line, orders, metric: metric, time: TimeAxis(field: "ordered_at", bucket: bucket, last: last)),
                    now: now
                ).points
            }
            let days = try series(.day)
            #expect(days.count == 71)
            #expect(days.first?.time == time("2026-01-05T00:00:00Z"))
            #expect(days.last?.time == time("2026-03-16T00:00:00Z"))
            #expect(days.prefix(3).map(\.value) == [2, 0, 1])
            #expect(days.compactMap(\.value).reduce(0, +) == 8)
            #expect(Set(days.map { $0.time.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) }) == [0])

            // Sunday 11 January 23:59:59 belongs to the week of Monday 5 January; Monday 12 starts the next.
            let weeks = try series(.week)
            #expect(weeks.map(\.value) == [4, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1])
            #expect(weeks.first?.time == time("2026-01-05T00:00:00Z"))
            #expect(weeks[1].time == time("2026-01-12T00:00:00Z"))
            #expect(weeks.last?.time == time("2026-03-16T00:00:00Z"))
            let weeklyAverages = try series(.week, Metric(.avg, field: "amount"))
            #expect(weeklyAverages.map(\.value) == [93.875, 75, nil, nil, 10, nil, nil, nil, nil, 5, 40])

            let months = try series(.month, Metric(.sum, field: "amount"))
            #expect(months.map(\.time) == ["2026-01-01", "2026-02-01", "2026-03-01"].map { time($0 + "T00:00:00Z") })
            #expect(months.map(\.value) == [450.5, 10, 45])

            let hours = try series(.hour, last: 4, now: time("2026-01-05T12:30:00Z"))
            #expect(hours.map(\.time) == (9...12).map { time("2026-01-05T\(String(format: "%02d", $0)):00:00Z") })
            #expect(hours.map(\.value) == [0, 1, 1, 0])
            let recentMonths = try series(.month, last: 6, now: time("2026-04-10T00:00:00Z"))
            #expect(recentMonths.map(\.value) == [0, 0, 5, 1, 2, 0])
            #expect(recentMonths.first?.time == time("2025-11-01T00:00:00Z"))
        }
    }

    @Test("Filters of every operator, values read as the field's type", arguments: TestStore.all)
    func filters(store: TestStore) throws {
        try withOrders(store) { (fixture, orders) throws in
            func matching(_ field: String, _ operation: FilterOperator, _ value: String? = nil) throws -> Double? {
                let filter = RecordFilter(field: field, operation: operation, value: value)
                return try fixture.result(of: Orders.widget(.number, orders, filters: [filter])).number?.value
            }
            #expect(try matching("region", .eq, "EU") == 2)
            #expect(try matching("region", .ne, "EU") == 5)
            #expect(try matching("amount", .gt, "75") == 2)
            #expect(try matching("amount", .gte, "75") == 3)
            #expect(try matching("amount", .lt, "25") == 2)
            #expect(try matching("amount", .lte, "25") == 3)
            #expect(try matching("note", .contains, "ET") == 3)
            #expect(try matching("note", .contains, "_%") == 1)
            #expect(try matching("note", .prefix, "e") == 2)
            #expect(try matching("note", .isNull) == 1)
            #expect(try matching("qty", .notNull) == 7)
            #expect(try matching("paid", .eq, "true") == 5)
            #expect(try matching("ordered_at", .gte, "2026-02-01T00:00:00Z") == 3)
            let both = [
                RecordFilter(field: "region", operation: .eq, value: "US"),
                RecordFilter(field: "amount", operation: .gt, value: "100"),
            ]
            #expect(try fixture.result(of: Orders.widget(.number, orders, filters: both)).number?.value == 1)
        }
    }

    @Test("A number compares the latest whole periods with the ones before", arguments: TestStore.all)
    func comparison(store: TestStore) throws {
        try withOrders(store) { fixture, orders in
            let monthly = try fixture.result(
                of: Orders.widget(.number, orders, time: TimeAxis(field: "ordered_at", bucket: .month)),
                now: time("2026-03-20T10:00:00Z")
            ).number
            #expect(monthly?.value == 1)
            #expect(monthly?.previousValue == 5)
            #expect(monthly?.changePercent == -80)
            #expect(
                monthly?.period == DateInterval(start: time("2026-02-01T00:00:00Z"), end: time("2026-03-01T00:00:00Z")))
            #expect(monthly?.previousPeriod?.start == time("2026-01-01T00:00:00Z"))

            let weekly = try fixture.result(
                of: Orders.widget(
                    .number, orders, metric: Metric(.sum, field: "amount"),
                    time: TimeAxis(field: "ordered_at", bucket: .day, last: 7)),
                now: time("2026-01-13T06:00:00Z")
            ).number
            #expect(
                weekly?.period == DateInterval(start: time("2026-01-06T00:00:00Z"), end: time("2026-01-13T00:00:00Z")))
            #expect(weekly?.value == 300)
            #expect(weekly?.previousValue == 150.5)
            #expect(abs((weekly?.changePercent ?? 0) - 99.3355) < 0.001)

            let quiet = try fixture.result(
                of: Orders.widget(.number, orders, time: TimeAxis(field: "ordered_at", bucket: .week)),
                now: time("2026-01-14T00:00:00Z")
            ).number
            #expect(quiet?.value == 4)
            #expect(quiet?.previousValue == 0)
            #expect(quiet?.changePercent == nil)
        }
    }

    @Test("A table of records shows the chosen columns of the top records, typed", arguments: TestStore.all)
    func recordTable(store: TestStore) throws {
        try withOrders(store) { fixture, orders in
            let widget = Orders.widget(
                .table, orders, filters: [RecordFilter(field: "qty", operation: .notNull)],
                sort: WidgetSort(.field("amount"), descending: true), limit: 3,
                columns: ["id", "region", "amount", "paid", "ordered_at"])
            let table = try #require(try fixture.result(of: widget).table)
            #expect(table.columns.map(\.field) == ["id", "region", "amount", "paid", "ordered_at"])
            #expect(table.columns.map(\.type) == [.integer, .text, .real, .boolean, .timestamp])
            #expect(
                table.rows == [
                    [.integer(3), .text("US"), .real(200), .bool(true), .timestamp(time("2026-01-07T09:00:00Z"))],
                    [.integer(1), .text("EU"), .real(100), .bool(true), .timestamp(time("2026-01-05T10:15:00Z"))],
                    [.integer(5), .text("APAC"), .real(75), .bool(false), .timestamp(time("2026-01-12T00:00:00Z"))],
                ])
            let byKey = try fixture.result(of: Orders.widget(.table, orders, limit: 2, columns: ["note"])).table
            #expect(byKey?.rows == [[.text("alpha")], [.text("beta")]])
        }
    }

    @Test("A widget over a source never synced shows nothing rather than failing", arguments: TestStore.all)
    func sourceWithoutRecords(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try DashboardFixture(database)
            let source = try fixture.sync.sources.create(
                SourceDefinition(name: "later", connection: .csv(CSVOptions(path: "later.csv"))))
            #expect(try fixture.result(of: Orders.widget(.number, source)).number?.value == 0)
            let bar = try fixture.dashboards.data(
                for: Dashboard(
                    id: 0,
                    definition: DashboardDefinition(name: "x", widgets: [Orders.widget(.bar, source, groupBy: "a")]),
                    createdAt: Date(), updatedAt: Date()))
            guard case .failure(let error) = bar[0].outcome else {
                Issue.record("a widget naming a field the source does not have has no result")
                return
            }
            #expect(error.fields["groupBy"] == "The source has no field a.")
        }
    }
}
