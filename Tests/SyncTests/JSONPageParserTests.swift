import Testing

@testable import Sync

@Suite("JSON page parser")
struct JSONPageParserTests {
    private func records(_ json: String, at path: String = "") throws(SyncError) -> RecordBatch {
        let parser = JSONPageParser()
        try parser.load(Array(json.utf8))
        return try parser.records(at: path)
    }

    private func rows(_ batch: RecordBatch) -> [[String: RecordValue]] {
        (0..<batch.count).map { record in
            Dictionary(
                uniqueKeysWithValues: batch.fieldNames.enumerated().map { field, name in
                    (name, batch.value(record: record, field: field))
                })
        }
    }

    @Test("Every JSON value kind becomes the matching record value")
    func valueKinds() throws {
        let batch = try records(
            #"""
            [{"t": true, "f": false, "i": -42, "r": 2.5, "e": 1e3, "s": "text", "n": null,
              "big": 9223372036854775807, "small": -9223372036854775808}]
            """#)
        #expect(
            rows(batch) == [
                [
                    "t": .bool(true), "f": .bool(false), "i": .integer(-42), "r": .real(2.5), "e": .real(1000),
                    "s": .text("text"), "n": .null, "big": .integer(.max), "small": .integer(.min),
                ]
            ])
    }

    @Test("Nested arrays and objects come back as compact JSON text")
    func nestedValuesAreCompact() throws {
        let batch = try records(
            """
            [{"tags": [ "a" , "b\\"c" , 1.5 ],
              "address": { "city" : "Zürich", "lines": [ ], "zip": null } }]
            """)
        #expect(
            rows(batch) == [
                [
                    "tags": .json(#"["a","b\"c",1.5]"#),
                    "address": .json(#"{"city":"Zürich","lines":[],"zip":null}"#),
                ]
            ])
    }

    @Test("Escapes and characters beyond ASCII are decoded to the right text")
    func unicode() throws {
        let batch = try records(#"[{"name": "Łódź \u00e9\ud83d\ude00 日本", "tab": "a\tb", "key é": 1}]"#)
        #expect(rows(batch) == [["name": .text("Łódź é😀 日本"), "tab": .text("a\tb"), "key é": .integer(1)]])
    }

    @Test("Integers beyond 64 bits become real numbers instead of failing the page")
    func integersBeyondInt64() throws {
        let batch = try records(
            #"""
            [{"a": 9223372036854775808, "b": 18446744073709551616, "c": -9223372036854775809,
              "d": "12345678901234567890123", "e": [123456789012345678901234567890]}]
            """#)
        let row = try #require(rows(batch).first)
        #expect(row["a"] == .real(0x1p63))
        #expect(row["b"] == .real(0x1p64))
        #expect(row["c"] == .real(-0x1p63))
        #expect(row["d"] == .text("12345678901234567890123"))
        #expect(row["e"] == .json("[1.2345678901234568e+29]"))
    }

    @Test("Records with different shapes share one field table")
    func varyingShapes() throws {
        let batch = try records(
            #"{"data": {"items": [{"a": 1, "b": 2}, {"b": 3, "c": 4}, {}, {"a": 5}]}}"#, at: "data.items")
        #expect(batch.fieldNames == ["a", "b", "c"])
        #expect(
            rows(batch) == [
                ["a": .integer(1), "b": .integer(2), "c": .null],
                ["a": .null, "b": .integer(3), "c": .integer(4)],
                ["a": .null, "b": .null, "c": .null],
                ["a": .integer(5), "b": .null, "c": .null],
            ])
    }

    @Test("Field names carry over between pages and a later page may add new ones")
    func namesAcrossPages() throws {
        let parser = JSONPageParser()
        try parser.load(Array(#"[{"id": 1, "name": "a"}]"#.utf8))
        #expect(try parser.records(at: "").fieldNames == ["id", "name"])
        try parser.load(Array(#"[{"name": "b", "extra": true, "id": 2}]"#.utf8))
        let second = try parser.records(at: "")
        #expect(second.fieldNames == ["name", "extra", "id"])
        #expect(second.values(ofRecord: 0) == [.text("b"), .bool(true), .integer(2)])
    }

    @Test("The name table starts over once it holds too many names, and later pages still read right")
    func nameTableIsBounded() throws {
        let parser = JSONPageParser()
        let count = JSONPageParser.maximumRememberedNames + 1
        let members = (0..<count).map { "\"f\($0)\": \($0)" }.joined(separator: ", ")
        try parser.load(Array("[{\(members)}]".utf8))
        #expect(try parser.records(at: "").fieldNames.count == count)
        try parser.load(Array(#"[{"f7": "x", "id": 1}]"#.utf8))
        let batch = try parser.records(at: "")
        #expect(batch.fieldNames == ["f7", "id"])
        #expect(batch.values(ofRecord: 0) == [.text("x"), .integer(1)])
    }

    @Test("Values are read at dotted paths, with array indexes, and are nil where nothing is")
    func valuesAtPaths() throws {
        let parser = JSONPageParser()
        try parser.load(Array(#"{"meta": {"next": "abc", "count": 7, "end": null}, "links": [{"href": "/p2"}]}"#.utf8))
        #expect(try parser.value(at: "meta.next") == .text("abc"))
        #expect(try parser.value(at: "meta.count") == .integer(7))
        #expect(try parser.value(at: "meta.end") == .null)
        #expect(try parser.value(at: "links.0.href") == .text("/p2"))
        #expect(try parser.value(at: "meta.missing") == nil)
        #expect(try parser.value(at: "links.3.href") == nil)
        #expect(try parser.value(at: "meta.next.deeper") == nil)
    }

    @Test("A records path that is missing or not an array is an error naming the path")
    func missingRecordsPath() {
        let missing = #expect(throws: SyncError.self) { _ = try records(#"{"data": []}"#, at: "items") }
        #expect(missing?.kind == .sourceData)
        #expect(missing?.message == "The page has nothing at items.")
        let notArray = #expect(throws: SyncError.self) { _ = try records(#"{"data": {"a": 1}}"#, at: "data") }
        #expect(notArray?.message == "The value at data is not an array.")
        let bodyNotArray = #expect(throws: SyncError.self) { _ = try records(#"{"data": []}"#) }
        #expect(bodyNotArray?.message == "The page is not a JSON array.")
    }

    @Test("A record that is not an object is an error naming its position")
    func nonObjectRecord() {
        let error = #expect(throws: SyncError.self) { _ = try records(#"[{"a": 1}, {"a": 2}, 3]"#) }
        #expect(error?.kind == .sourceData)
        #expect(error?.message == "Record 3 of the page is not a JSON object.")
    }

    @Test("Malformed JSON is refused whole, with simdjson's reason")
    func malformed() {
        for text in [#"[{"a": 1},"#, #"[{"a": tru}]"#, #"[{"a": 01}]"#, "", #"[{"a": 1}] x"#, #"{"a" 1}"#] {
            let error = #expect(throws: SyncError.self) { _ = try records(text) }
            #expect(error?.kind == .sourceData, "\(text)")
            #expect(error?.message.hasPrefix("The page is not valid JSON (") == true, "\(text)")
        }
    }

    @Test("Invalid UTF-8 is refused, even inside a string")
    func invalidUTF8() {
        let parser = JSONPageParser()
        let body = Array(#"[{"name": ""#.utf8) + [0xC3, 0x28] + Array(#""}]"#.utf8)
        let error = #expect(throws: SyncError.self) { try parser.load(body) }
        #expect(error?.kind == .sourceData)
        #expect(error?.message == "The page is not valid UTF-8.")
    }

    @Test("Nesting deeper than the limit is refused")
    func depthIsBounded() {
        let depth = JSONPageParser.maximumDepth + 1
        let text = "[{\"a\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}]"
        let error = #expect(throws: SyncError.self) { _ = try records(text) }
        #expect(error?.kind == .sourceData)
        #expect(error?.message.contains("levels deep") == true)
        #expect(throws: Never.self) {
            let allowed = JSONPageParser.maximumDepth - 2
            _ = try records(
                "[{\"a\": " + String(repeating: "[", count: allowed) + String(repeating: "]", count: allowed) + "}]")
        }
    }

    @Test("A failed page leaves nothing behind to read")
    func failedPageClearsDocument() throws {
        let parser = JSONPageParser()
        try parser.load(Array(#"[{"a": 1}]"#.utf8))
        #expect(throws: SyncError.self) { try parser.load(Array("[".utf8)) }
        #expect(throws: SyncError.self) { _ = try parser.records(at: "") }
    }
}
