import Core
import Foundation
import Sync
import Testing

@testable import Dashboards

/// The JSON that results are written as, the shapes docs/dashboards.md shows.
@Suite("Widget result JSON")
struct WidgetResultJSONTests {
    private func json(_ result: WidgetResult) -> String {
        var writer = JSONWriter()
        result.write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("Each kind of result writes its own members, missing values as null")
    func shapes() {
        let number = NumberResult(
            value: 12, previousValue: 8, period: DateInterval(start: time("2026-02-01T00:00:00Z"), duration: 86_400),
            previousPeriod: nil)
        #expect(
            json(.number(number))
                == #"{"type":"number","value":12.0,"previousValue":8.0,"changePercent":50.0,"#
                + #""period":{"start":"2026-02-01T00:00:00Z","end":"2026-02-02T00:00:00Z"},"previousPeriod":null}"#)
        let series = SeriesResult(bucket: .week, points: [SeriesPoint(time: time("2026-01-05T00:00:00Z"), value: nil)])
        #expect(
            json(.series(series))
                == #"{"type":"series","bucket":"week","points":[{"time":"2026-01-05T00:00:00Z","value":null}]}"#)
        let groups = GroupsResult(rows: [
            GroupRow(label: nil, value: 1), GroupRow(label: GroupRow.otherLabel, value: 2, isOther: true),
        ])
        #expect(
            json(.groups(groups))
                == #"{"type":"groups","rows":[{"label":null,"value":1.0,"other":false},"#
                + #"{"label":"Other","value":2.0,"other":true}]}"#)
        let table = TableResult(
            columns: [
                RecordColumn(field: "id", name: "id", type: .integer, position: 0),
                RecordColumn(field: "at", name: "at", type: .timestamp, position: 1),
            ],
            rows: [[.integer(7), .timestamp(time("2026-01-05T10:00:00Z"))], [.null, .null]])
        #expect(
            json(.table(table))
                == #"{"type":"table","columns":[{"field":"id","name":"id","type":"integer"},"#
                + #"{"field":"at","name":"at","type":"timestamp"}],"#
                + #""records":[{"id":7,"at":"2026-01-05T10:00:00.000000Z"},{"id":null,"at":null}]}"#)
    }
}
