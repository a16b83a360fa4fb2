import Foundation
import Testing

@testable import Sync

@Suite("CSV reader")
struct CSVReaderTests {
    /// A record as read: the line it starts on and its field texts.
    struct ReadRecord: Equatable, CustomStringConvertible {
        let line: Int
        let fields: [String]

        var description: String { "\(line): \(fields)" }
    }

    let directory: TemporaryImportDirectory

    init() throws {
        directory = try TemporaryImportDirectory()
    }

    /// Every record of `bytes`, after the header when `header` is set.
    private func read(
        _ bytes: [UInt8], header: Bool = true, delimiter: Character = ",", chunkSize: Int = CSVReader.defaultChunkSize
    ) throws(SyncError) -> (names: [String], records: [ReadRecord]) {
        let path: String
        do { path = try directory.write("data.csv", bytes) } catch {
            fatalError("cannot write the test file: \(error)")
        }
        let reader = try CSVReader(path: path, delimiter: delimiter.asciiValue!, chunkSize: chunkSize)
        let names = try reader.readColumnNames(fromHeader: header)
        var records: [ReadRecord] = []
        while try reader.nextRecord() {
            var fields: [String] = []
            for index in 0..<reader.fieldCount { fields.append(try reader.string(ofField: index)) }
            records.append(ReadRecord(line: reader.line, fields: fields))
        }
        return (names, records)
    }

    private func read(
        _ text: String, header: Bool = true, delimiter: Character = ",", chunkSize: Int = CSVReader.defaultChunkSize
    ) throws(SyncError) -> (names: [String], records: [ReadRecord]) {
        try read(Array(text.utf8), header: header, delimiter: delimiter, chunkSize: chunkSize)
    }

    @Test("Plain records follow the header, one line each")
    func plainRecords() throws {
        let (names, records) = try read("id,name,amount\n1,Ada,12.5\n2,Grace,7\n")
        #expect(names == ["id", "name", "amount"])
        #expect(
            records == [
                ReadRecord(line: 2, fields: ["1", "Ada", "12.5"]), ReadRecord(line: 3, fields: ["2", "Grace", "7"]),
            ])
    }

    @Test("A UTF-8 byte order mark at the start is skipped")
    func byteOrderMark() throws {
        let (names, records) = try read([0xEF, 0xBB, 0xBF] + Array("id,name\n1,Ada\n".utf8))
        #expect(names == ["id", "name"])
        #expect(records == [ReadRecord(line: 2, fields: ["1", "Ada"])])
    }

    @Test("CRLF, LF and a lone CR end records alike, the last line with or without a break")
    func lineEndings() throws {
        let expected = [ReadRecord(line: 2, fields: ["1", "a"]), ReadRecord(line: 3, fields: ["2", "b"])]
        for text in [
            "id,v\r\n1,a\r\n2,b\r\n", "id,v\n1,a\n2,b\n", "id,v\n1,a\n2,b", "id,v\r\n1,a\r\n2,b\r", "id,v\r1,a\r2,b",
            "id,v\r\n1,a\n2,b\r",
        ] {
            #expect(try read(text).records == expected, "\(text.debugDescription)")
        }
    }

    @Test("Quoted fields hold delimiters, doubled quotes and line breaks, and lines count physically")
    func quotedFields() throws {
        let text =
            "id,note,tail\r\n" + "1,\"a, b\",\"say \"\"hi\"\"\"\r\n" + "2,\"first\r\nsecond\nthird\",x\r\n"
            + "3,\"\",\"\"\r\n"
        let (_, records) = try read(text)
        #expect(
            records == [
                ReadRecord(line: 2, fields: ["1", "a, b", "say \"hi\""]),
                ReadRecord(line: 3, fields: ["2", "first\r\nsecond\nthird", "x"]),
                ReadRecord(line: 6, fields: ["3", "", ""]),
            ])
    }

    @Test("A record with another number of fields than the header names its first physical line")
    func wrongFieldCount() {
        let text = "a,b,c\n1,2,3\n4,\"five\nlines\",6\n7,8\n"
        let error = syncError { try read(text) }
        #expect(error?.kind == .sourceData)
        #expect(error?.message == "line 5 has 2 fields; the header has 3")

        let tooMany = syncError { try read("a\n1\n\"2\",3\n", header: false) }
        #expect(tooMany?.message == "line 3 has 2 fields; the first line has 1")
    }

    @Test("A quote inside an unquoted field is refused with its line")
    func quoteInsideUnquotedField() {
        let error = syncError { try read("id,name\n1,Ada\n2,Gr\"ace\n") }
        #expect(error?.kind == .sourceData)
        #expect(error?.message.hasPrefix("line 3 has a quote inside an unquoted field") == true)
    }

    @Test("Text after a closing quote is refused with its line")
    func textAfterClosingQuote() {
        let error = syncError { try read("id,name\n1,\"Ada\nL\" x,2\n") }
        #expect(error?.message.hasPrefix("line 3 has text after the closing quote") == true)
    }

    @Test("A quote left open at the end of the file names the line it opens on")
    func unterminatedQuote() {
        for chunkSize in [3, 1024] {
            let error = syncError { try read("id,name\n1,Ada\n2,\"Grace\n3,Linus\n", chunkSize: chunkSize) }
            #expect(error?.kind == .sourceData)
            #expect(error?.message == "line 3 opens a quoted field that is never closed.")
        }
    }

    @Test("A record longer than the maximum is refused instead of filling memory")
    func recordTooLong() throws {
        let path = try directory.write("long.csv", "id,note\n1,\"" + String(repeating: "x", count: 5000) + "\"\n")
        let reader = try CSVReader(path: path, chunkSize: 64, maximumRecordSize: 1024)
        _ = try reader.readColumnNames(fromHeader: true)
        let error = syncError { try reader.nextRecord() }
        #expect(error?.message.hasPrefix("line 2 starts a record longer than 1.0 kB") == true)
    }

    @Test("Invalid UTF-8 is refused with the line it is on")
    func invalidUTF8() {
        let bytes = Array("id,name\n1,Ada\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let error = syncError { try read(bytes) }
        #expect(error?.kind == .sourceData)
        #expect(error?.message == "line 3 holds text that is not valid UTF-8 (field 2).")

        let header = syncError { try read([0xFF] + Array("id\n1\n".utf8)) }
        #expect(header?.message == "line 1 holds text that is not valid UTF-8 (field 1).")
    }

    @Test("Empty lines add no records, at the end or in between")
    func emptyLines() throws {
        let (_, records) = try read("id,v\n\n1,a\r\n\r\n2,b\n\n\n")
        #expect(records == [ReadRecord(line: 3, fields: ["1", "a"]), ReadRecord(line: 5, fields: ["2", "b"])])
        #expect(try read("id,v\n").records.isEmpty)
        #expect(try read("", header: false) == ([], []))
    }

    @Test("Header names are trimmed; empty and repeated names are refused")
    func headerNames() throws {
        #expect(try read(" id ,\tname\r\n1,a\n").names == ["id", "name"])

        let empty = syncError { try read("id,,name\n") }
        #expect(empty?.message == "Column 2 of the header (line 1) has no name.")
        let repeated = syncError { try read("id,name,ID\n") }
        #expect(repeated?.message == "The header (line 1) names \"ID\" twice: columns 1 and 3.")
        let missing = syncError { try read("") }
        #expect(missing?.message.hasSuffix("is empty; it has no header line.") == true)
    }

    @Test("Without a header the columns are numbered and the first line is a record")
    func withoutHeader() throws {
        let (names, records) = try read("1,a,x\n2,b,y\n", header: false)
        #expect(names == ["column1", "column2", "column3"])
        #expect(records.map(\.line) == [1, 2])
        #expect(records.first?.fields == ["1", "a", "x"])
    }

    @Test("Other delimiters split fields and leave commas alone")
    func otherDelimiters() throws {
        #expect(try read("a;b\n1,5;\"x;y\"\n", delimiter: ";").records.first?.fields == ["1,5", "x;y"])
        #expect(try read("a\tb\n1\t\n", delimiter: "\t").records.first?.fields == ["1", ""])
        let error = syncError { try CSVReader(path: "/dev/null", delimiter: UInt8(ascii: "\"")) }
        #expect(error?.kind == .configuration)
    }

    @Test("Every chunk size reads the same records: fields, quotes, CRLF and characters split anywhere")
    func chunkBoundaries() throws {
        let text =
            "\u{FEFF}id,note,city\r\n1,\"a \"\"quoted\"\"\r\nvalue\",Zürich\r\n2,,\"São Paulo\"\r\n"
            + "3,plain,東京\r4,\"\",x\n5,\"end\",\"\"\"\"\r"
        let expected = try read(text)
        #expect(expected.records.count == 5)
        #expect(expected.records[0].fields[1] == "a \"quoted\"\r\nvalue")
        #expect(expected.records.map(\.line) == [2, 4, 5, 6, 7])
        #expect(expected.records[4].fields == ["5", "end", "\""])
        for chunkSize in 1...text.utf8.count + 1 {
            let result = try read(text, chunkSize: chunkSize)
            #expect(result.names == expected.names, "chunk size \(chunkSize)")
            #expect(result.records == expected.records, "chunk size \(chunkSize)")
        }
    }

    @Test("A reader moved to a saved position reads exactly the records after it, with their lines")
    func seekToPosition() throws {
        let text = "id,v\n1,\"a\nb\"\n2,b\n\n3,c\n4,d\n"
        let path = try directory.write("seek.csv", text)
        let first = try CSVReader(path: path, chunkSize: 5)
        _ = try first.readColumnNames(fromHeader: true)
        #expect(try first.nextRecord())
        #expect(try first.nextRecord())
        let saved = try #require(CSVPosition(first.position.description))
        #expect(saved == CSVPosition(offset: 17, line: 5))

        let second = try CSVReader(path: path, chunkSize: 5)
        _ = try second.readColumnNames(fromHeader: true)
        try second.seek(to: saved)
        var rest: [ReadRecord] = []
        while try second.nextRecord() {
            rest.append(ReadRecord(line: second.line, fields: [try second.string(ofField: 0)]))
        }
        #expect(rest == [ReadRecord(line: 6, fields: ["3"]), ReadRecord(line: 7, fields: ["4"])])
    }

    @Test("Positions read back only from offset:line text")
    func positionText() {
        #expect(CSVPosition("120:7") == CSVPosition(offset: 120, line: 7))
        for text in ["", "12", "a:1", "1:0", "-1:2", "1:2:3"] {
            #expect(CSVPosition(text) == nil, "\(text)")
        }
    }

    @Test("Types are inferred from text alone")
    func inference() {
        let cases: [(String, RecordValue)] = [
            ("", .null), ("true", .bool(true)), ("FALSE", .bool(false)), ("True", .bool(true)),
            ("truth", .text("truth")),
            ("0", .integer(0)), ("42", .integer(42)), ("-17", .integer(-17)), ("+5", .integer(5)),
            ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
            ("9223372036854775808", .text("9223372036854775808")), ("007", .text("007")), ("-01", .text("-01")),
            ("2.5", .real(2.5)), ("-0.25", .real(-0.25)), (".5", .real(0.5)), ("5.", .real(5)), ("1e6", .real(1e6)),
            ("6.02E+23", .real(6.02e23)), ("1e999", .text("1e999")), ("01.5", .text("01.5")), ("1e", .text("1e")),
            ("-", .text("-")), (".", .text(".")), ("1.2.3", .text("1.2.3")), (" 42", .text(" 42")),
            ("42 ", .text("42 ")), ("nan", .text("nan")), ("inf", .text("inf")), ("0x1F", .text("0x1F")),
            ("2024-05-01", .text("2024-05-01")), ("Zürich", .text("Zürich")),
        ]
        for (text, expected) in cases {
            #expect(RecordValue.inferred(fromCSV: text) == expected, "\(text.debugDescription)")
        }
    }

    @Test("Decimals read exactly as the general parser reads them")
    func decimalsMatchTheGeneralParser() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0.1", "0.2", "-0.0", "123456789012.345", "999999999999999.9", "0.000000000000001", "5.", "-.5"]
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...17, using: &generator)
            let point = Int.random(in: 0...digits, using: &generator)
            var text = Int.random(in: 0...1, using: &generator) == 0 ? "" : "-"
            for position in 0..<digits {
                if position == point { text += "." }
                text += String(Int.random(in: 0...9, using: &generator))
            }
            if point == digits { text += "." }
            texts.append(text)
        }
        for text in texts {
            guard case .real(let value) = RecordValue.inferred(fromCSV: text) else { continue }
            #expect(value.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test("Fields of every length keep their non-ASCII text, and invalid bytes anywhere are refused")
    func nonASCIIFields() throws {
        for padding in 0..<17 {
            let field = String(repeating: "a", count: padding) + "Zürich"
            let (_, records) = try read("id,name\n1,\(field)\n")
            #expect(records.first?.fields == ["1", field])
            let bytes = Array("id,name\n1,".utf8) + Array(repeating: UInt8(ascii: "a"), count: padding) + [0xFF, 0x0A]
            #expect(syncError { try read(bytes) }?.message == "line 2 holds text that is not valid UTF-8 (field 2).")
        }
    }
}
