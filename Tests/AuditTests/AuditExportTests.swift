import Audit
import Foundation
import Storage
import TestSupport
import Testing

@Suite("Audit export")
struct AuditExportTests {
    private func export(
        _ database: any Database, _ format: AuditExportFormat, filter: AuditFilter = AuditFilter(),
        chunkSize: Int = 65_536
    ) throws -> (text: String, chunks: [Int]) {
        var bytes: [UInt8] = []
        var chunks: [Int] = []
        try AuditReader(database: database).export(filter, as: format, chunkSize: chunkSize) { chunk in
            chunks.append(chunk.count)
            bytes.append(contentsOf: chunk)
        }
        return (String(decoding: bytes, as: UTF8.self), chunks)
    }

    @Test(arguments: TestStore.all)
    func csvNeutralizesFormulasAndQuotes(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let actors = ["=1+2", "+x", "-x", "@x", "\tx", "\rx", "a,b", "say \"hi\"", "two\nlines", "plain"]
            write(
                actors.map { AuditEvent(occurredAt: baseTime, actor: $0, action: "auth.login", outcome: .success) },
                to: database)
            let (text, _) = try export(database, .csv)

            let records = parseCSV(text)
            #expect(
                records.first == [
                    "id", "occurred_at", "actor", "action", "target", "outcome", "ip", "user_agent", "details",
                    "previous_hash", "hash",
                ])
            #expect(records.count == actors.count + 1)
            #expect(
                records.dropFirst().map { $0[2] } == [
                    "'=1+2", "'+x", "'-x", "'@x", "'\tx", "'\rx", "a,b", "say \"hi\"", "two\nlines", "plain",
                ])
            #expect(records[1][1] == "2026-05-28T20:26:40.123Z")
            #expect(records[1][8] == "{}")
            #expect(text.contains("\r\n1,2026-05-28T20:26:40.123Z,'=1+2,auth.login,"))
            #expect(text.contains(",\"a,b\","))
            #expect(text.contains(",\"say \"\"hi\"\"\","))
            #expect(text.contains(",\"'\rx\","))
        }
    }

    @Test(arguments: TestStore.all)
    func lineBreaksInAUsernameStayInsideTheirValue(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            let forged = "mallory\r\n2,2026-01-01T00:00:00.000Z,admin"
            write(
                [
                    AuditEvent(
                        occurredAt: baseTime, actor: forged, action: "auth.login", outcome: .failure,
                        details: ["reason": "bad\npassword"]),
                    sampleEvent(2),
                ], to: database)

            let (jsonl, _) = try export(database, .jsonLines)
            let lines = jsonl.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3 && lines[2].isEmpty)
            #expect(!jsonl.contains("\r"))
            #expect(lines[0].contains(#""actor":"mallory\r\n2,2026-01-01T00:00:00.000Z,admin""#))
            #expect(lines[0].contains(#""details":{"reason":"bad\npassword"}"#))
            let object = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(object["actor"] as? String == forged)
            #expect(object["id"] as? Int == 1)

            let (csv, _) = try export(database, .csv)
            let records = parseCSV(csv)
            #expect(records.count == 3)
            #expect(records[1][2] == forged)
            #expect(csv.contains("\"mallory\r\n2,2026-01-01T00:00:00.000Z,admin\""))
        }
    }

    @Test(arguments: TestStore.all)
    func exportStreamsInChunksOldestFirst(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(300, to: database)
            let (text, chunks) = try export(database, .jsonLines, chunkSize: 1024)
            #expect(chunks.count > 20)
            #expect(chunks.allSatisfy { $0 < 1024 + 1024 })
            let ids = try text.split(separator: "\n").map { line in
                try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["id"] as? Int
            }
            #expect(ids == Array(1...300))

            let (filtered, _) = try export(database, .csv, filter: AuditFilter(actor: "user1", outcome: .failure))
            let expected = (1...300).filter { $0 % 3 == 1 && $0 % 5 == 0 }.map(String.init)
            #expect(parseCSV(filtered).dropFirst().map { $0[0] } == expected)
        }
    }

    @Test(arguments: TestStore.all)
    func aFailingSinkStopsTheExport(store: TestStore) throws {
        struct SinkFull: Error {}
        try withAuditDatabase(store) { database throws in
            writeSamples(200, to: database)
            let reader = AuditReader(database: database)
            var calls = 0
            #expect(throws: SinkFull.self) {
                try reader.export(as: .csv, chunkSize: 256) { _ in
                    calls += 1
                    if calls == 2 { throw SinkFull() }
                }
            }
            #expect(calls == 2)
            #expect(try reader.page(AuditQuery(limit: 1)).entries.first?.id == 200)
        }
    }
}

/// Splits RFC 4180 text into records of fields.
private func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(text.unicodeScalars)[...]
    while let character = characters.popFirst() {
        if quoted {
            if character == "\"" {
                if characters.first == "\"" {
                    field.unicodeScalars.append(characters.removeFirst())
                } else {
                    quoted = false
                }
            } else {
                field.unicodeScalars.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            record.append(field)
            field = ""
        } else if character == "\r" && characters.first == "\n" {
            characters.removeFirst()
            record.append(field)
            records.append(record)
            record = []
            field = ""
        } else {
            field.unicodeScalars.append(character)
        }
    }
    return records
}
