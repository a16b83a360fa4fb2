import Core
import Foundation
import Testing

@testable import Audit

@Suite("Audit details")
struct AuditDetailsTests {
    /// Plain members are copied without `JSONWriter`; every kind of member must come out as the
    /// writer would write it, keys in ascending order.
    @Test(
        arguments: [
            [:], ["status": "200"], ["method": "GET", "status": "404", "durationMs": "12.5"], ["": "", "a": ""],
            ["quote": "say \"hi\""], ["path": "C:\\temp"], ["line": "one\ntwo"], ["bell": "\u{7}"],
            ["delete": "\u{7F}"],
            ["name": "Grüße 😀"], ["é": "plain"], ["b": "plain", "a": "tab\there", "c": "plain too"],
        ] as [[String: String]])
    func encodingMatchesJSONWriter(details: [String: String]) throws {
        var writer = JSONWriter()
        writer.beginObject()
        for name in details.keys.sorted() {
            writer.key(name)
            writer.string(details[name]!)
        }
        writer.endObject()
        #expect(AuditDetails.encode(details) == writer.text)
        #expect(AuditDetails.decode(AuditDetails.encode(details).utf8) == details)
    }
}
