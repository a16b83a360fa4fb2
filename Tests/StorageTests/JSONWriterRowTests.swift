import Core
import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("Rows as JSON")
struct JSONWriterRowTests {
    @Test func rowBecomesAnObjectInColumnOrder() {
        let columns = ResultColumns(names: ["id", "name", "score", "active", "seen", "raw", "note"])
        let seen = Date(timeIntervalSince1970: 0.25)
        let row = Row(
            columns: columns,
            values: [
                7, "Zoë \"Z\"", 2.5, true, .timestamp(seen), .blob([0xFF, 0]), nil,
            ])
        var writer = JSONWriter()
        writer.row(row)
        #expect(
            writer.text == """
                {"id":7,"name":"Zoë \\"Z\\"","score":2.5,"active":true,\
                "seen":"1970-01-01T00:00:00.250000Z","raw":"/wA=","note":null}
                """)
    }
}
