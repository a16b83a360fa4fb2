import Core
import Foundation
import Sync
import TestSupport
import Testing

@testable import Dashboards

/// Reading dashboard definitions from JSON, and checking their widgets against the sources.
@Suite("Dashboard definitions")
struct DashboardDefinitionTests {
    private func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    private func problems(_ text: String) throws -> [String: String] {
        let value = try json(text)
        do throws(DashboardError) {
            _ = try DashboardDefinition(json: value)
            return [:]
        } catch {
            #expect(error.kind == .invalidDefinition)
            return error.fields
        }
    }

    @Test("A definition reads, fills in defaults, and writes back in the same shape")
    func roundTrip() throws {
        let definition = try DashboardDefinition(
            json: try json(
                """
                {"name": "Sales", "description": "Orders by region", "widgets": [
                  {"id": "revenue", "title": "Revenue", "kind": "number", "sourceId": 3,
                   "metric": {"aggregate": "sum", "field": "amount"},
                   "time": {"field": "ordered_at", "bucket": "day", "last": 30},
                   "filters": [{"field": "paid", "op": "eq", "value": true}, {"field": "qty", "op": "gt", "value": 2}]},
                  {"title": "By region", "kind": "bar", "sourceId": 3, "groupBy": "region"},
                  {"title": "Latest", "kind": "table", "sourceId": 3, "columns": ["id", "amount"],
                   "sort": {"by": "field", "field": "ordered_at", "direction": "desc"}, "limit": 20}
                ]}
                """))
        #expect(definition.name == "Sales")
        #expect(definition.widgets.count == 3)
        let revenue = definition.widgets[0]
        #expect(revenue.id == "revenue")
        #expect(revenue.metric == Metric(.sum, field: "amount"))
        #expect(revenue.time == TimeAxis(field: "ordered_at", bucket: .day, last: 30))
        #expect(revenue.filters.map(\.value) == ["true", "2"])
        #expect(revenue.sort == nil && revenue.limit == nil)
        let bar = definition.widgets[1]
        #expect(bar.id.hasPrefix("w") && bar.id.count == 11)
        #expect(bar.metric == .count)
        #expect(bar.sort == WidgetSort(.value, descending: true))
        #expect(bar.limit == 10)
        let table = definition.widgets[2]
        #expect(table.listsRecords)
        #expect(table.sort == WidgetSort(.field("ordered_at"), descending: true))

        let again = try DashboardDefinition(json: definition.json)
        #expect(again == definition)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(definition), as: UTF8.self)
        #expect(text.contains(#""metric":{"aggregate":"count"}"#))
        #expect(text.contains(#""sort":{"by":"value","direction":"desc"}"#))
    }

    @Test("Every malformed or misplaced member is named by its path")
    func shapeProblems() throws {
        let found = try problems(
            """
            {"name": " ", "colour": "red", "widgets": [
              {"title": "A", "kind": "gauge", "sourceId": 1},
              {"id": "same", "title": "B", "kind": "bar", "sourceId": 1, "metric": {"aggregate": "median"}},
              {"id": "same", "title": "C", "kind": "line", "sourceId": 0, "groupBy": "region"},
              {"title": "D", "kind": "number", "sourceId": 1, "metric": {"aggregate": "count", "field": "x"},
               "filters": [{"field": "a", "op": "like", "value": "x"}, {"field": "a", "op": "null", "value": "x"},
                           {"field": "a", "op": "eq"}], "sort": {"by": "value"}, "extra": 1},
              {"title": "E", "kind": "table", "sourceId": 1, "groupBy": "a", "columns": ["b"],
               "time": {"field": "t", "bucket": "year", "last": 0}},
              {"title": "F", "kind": "table", "sourceId": 1, "columns": ["a", "a"], "sort": {"by": "value"},
               "metric": {"aggregate": "sum", "field": "n"}, "limit": 500},
              "not an object"
            ]}
            """)
        #expect(found["name"] == "Must not be blank.")
        #expect(found["colour"] == "Unknown field.")
        #expect(found["widgets[0].kind"]?.hasPrefix("Must be one of: number, line") == true)
        #expect(found["widgets[1].metric.aggregate"] != nil)
        #expect(found["widgets[1].groupBy"] == "A bar widget needs a field to group by.")
        #expect(found["widgets[2].id"] == "Another widget of the dashboard has this id.")
        #expect(found["widgets[2].sourceId"] != nil)
        #expect(found["widgets[2].groupBy"] == "A line widget takes no groupBy.")
        #expect(found["widgets[2].time"] == "A line widget needs a time field and bucket.")
        #expect(found["widgets[3].metric.field"] == "count takes no field; it counts records.")
        #expect(found["widgets[3].filters[0].op"] != nil)
        #expect(found["widgets[3].filters[1].value"] == "null and notnull take no value.")
        #expect(found["widgets[3].filters[2].value"] == "This field is required.")
        #expect(found["widgets[3].sort"] == "A number widget takes no sort.")
        #expect(found["widgets[3].extra"] == "Unknown field.")
        #expect(found["widgets[4].columns"] == "A table takes groupBy (a row per group) or columns, not both.")
        #expect(found["widgets[4].time.bucket"] != nil)
        #expect(found["widgets[4].time.last"] != nil)
        #expect(found["widgets[5].columns"] == "Must not repeat a name.")
        #expect(found["widgets[5].metric"] == "A table of records takes no metric; give groupBy to aggregate.")
        #expect(found["widgets[5].sort.by"] == "A table of records is sorted by a field.")
        #expect(found["widgets[5].limit"] == "Must be a whole number from 1 to 100.")
        #expect(found["widgets[6]"] == "Must be an object.")
        #expect(
            try problems(
                #"{"name": "x", "widgets": [{"title": "G", "kind": "pie", "sourceId": 1, "groupBy": "a", "#
                    + #""limit": 51}]}"#
            )["widgets[0].limit"] != nil)
    }

    @Test("Widgets are checked against their source's fields and types", arguments: TestStore.all)
    func schemaProblems(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try DashboardFixture(database)
            let orders = try fixture.addSource("orders", csv: Orders.csv)
            let widgets = [
                Orders.widget(.bar, orders, groupBy: "regoin"),
                Orders.widget(.number, orders, metric: Metric(.sum, field: "region")),
                Orders.widget(.line, orders, time: TimeAxis(field: "amount", bucket: .day)),
                Orders.widget(.number, orders, filters: [RecordFilter(field: "amount", operation: .gt, value: "lots")]),
                Orders.widget(.number, orders, filters: [RecordFilter(field: "qty", operation: .contains, value: "1")]),
                Orders.widget(
                    .table, orders, sort: WidgetSort(.field("colour"), descending: false), columns: ["id", "x"]),
                Widget(id: "gone", title: "Gone", kind: .number, sourceID: 999),
                Orders.widget(.pie, orders, metric: Metric(.avg, field: "qty"), groupBy: "paid", limit: 3),
            ]
            do throws(DashboardError) {
                _ = try fixture.dashboards.create(DashboardDefinition(name: "Broken", widgets: widgets))
                Issue.record("a dashboard whose widgets do not fit its sources was stored")
            } catch {
                #expect(error.kind == .invalidDefinition)
                #expect(error.message.contains("“Probe”") && error.message.contains("“Gone”"))
                #expect(
                    error.fields == [
                        "widgets[0].groupBy": "The source has no field regoin.",
                        "widgets[1].metric.field": "region holds text values; sum needs integer or real.",
                        "widgets[2].time.field": "amount holds real values; time buckets need a timestamp field.",
                        "widgets[3].filters[0]": "lots is not a valid real.",
                        "widgets[4].filters[0]": "contains and prefix work on text fields only.",
                        "widgets[5].sort.field": "The source has no field colour.",
                        "widgets[5].columns[1]": "The source has no field x.",
                        "widgets[6].sourceId": "No source has the id 999.",
                    ])
            }
            #expect(try fixture.dashboards.list().isEmpty)
        }
    }

    @Test("Dashboards are stored, renamed with unique names, and deleted", arguments: TestStore.all)
    func store(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try DashboardFixture(database)
            let orders = try fixture.addSource("orders", csv: Orders.csv)
            let widgets = [
                Orders.widget(.bar, orders, groupBy: "region", sort: WidgetSort(.value, descending: true), limit: 5)
            ]
            let sales = try fixture.dashboards.create(
                DashboardDefinition(name: "Sales", description: "All", widgets: widgets))
            let other = try fixture.dashboards.create(DashboardDefinition(name: "Other"))
            #expect(try fixture.dashboards.list().map(\.name) == ["Other", "Sales"])
            #expect(try fixture.dashboards.find(id: sales.id) == sales)
            #expect(try fixture.dashboards.find(id: sales.id)?.widgets == widgets)

            do throws(DashboardError) {
                _ = try fixture.dashboards.update(id: other.id, to: DashboardDefinition(name: "Sales"))
                Issue.record("two dashboards got the same name")
            } catch {
                #expect(error.kind == .conflict)
            }
            let renamed = try fixture.dashboards.update(
                id: sales.id, to: DashboardDefinition(name: "Revenue", widgets: widgets),
                now: Date().addingTimeInterval(60))
            #expect(renamed.name == "Revenue" && renamed.createdAt == sales.createdAt)
            #expect(renamed.updatedAt > sales.updatedAt)
            try fixture.dashboards.delete(id: other.id)
            #expect(try fixture.dashboards.find(id: other.id) == nil)
            #expect(throws: DashboardError.self) { try fixture.dashboards.delete(id: other.id) }
        }
    }
}
