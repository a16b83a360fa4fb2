import Foundation
import Testing

@testable import Sync

@Suite("CSV connector")
struct CSVConnectorTests {
    let directory: TemporaryImportDirectory

    init() throws {
        directory = try TemporaryImportDirectory()
    }

    /// `count` records of id, name, amount, paid and note, the note spanning two lines in every
    /// third record.
    private func ordersText(count: Int) -> String {
        var text = "id,name,amount,paid,note\r\n"
        for id in 1...count {
            let note = id % 3 == 0 ? "\"line one\r\nline \"\"two\"\"\"" : ""
            text += "\(id),Customer \(id),\(id).25,\(id % 2 == 0 ? "true" : "FALSE"),\(note)\r\n"
        }
        return text
    }

    @Test("Records arrive in batches of the batch size with types inferred and positions to resume from")
    func batches() throws {
        try directory.write("orders.csv", ordersText(count: 7))
        let connector = CSVConnector(options: CSVOptions(path: "orders.csv"))
        let delivered = try deliveries(of: connector, context: directory.context(batchSize: 3))
        let fourth = try positionOfRecord(4, in: ordersText(count: 7))

        #expect(delivered.map(\.batch.count) == [3, 3, 1])
        #expect(delivered[0].batch.fieldNames == ["id", "name", "amount", "paid", "note"])
        #expect(delivered[0].records[0] == [.integer(1), .text("Customer 1"), .real(1.25), .bool(false), .null])
        #expect(delivered[0].records[2][4] == .text("line one\r\nline \"two\""))
        #expect(delivered[0].checkpoint.position == fourth.description)
        #expect(fourth.line == 6)
        #expect(delivered.allSatisfy { $0.checkpoint.since == nil })
    }

    /// The `offset:line` position where record `number` (from 1, after the header) starts.
    private func positionOfRecord(_ number: Int, in text: String) throws -> CSVPosition {
        let bytes = Array(text.utf8)
        var offset = 0
        var line = 1
        var records = -1
        var quoted = false
        while offset < bytes.count {
            if !quoted && (offset == 0 || bytes[offset - 1] == UInt8(ascii: "\n")) {
                records += 1
                if records == number { break }
            }
            if bytes[offset] == UInt8(ascii: "\"") { quoted.toggle() }
            if bytes[offset] == UInt8(ascii: "\n") { line += 1 }
            offset += 1
        }
        return CSVPosition(offset: offset, line: line)
    }

    @Test("Resuming from any delivered checkpoint reads exactly the remaining records")
    func resume() throws {
        try directory.write("orders.csv", ordersText(count: 10))
        let connector = CSVConnector(options: CSVOptions(path: "orders.csv"))
        let context = directory.context(batchSize: 3)
        let all = try deliveries(of: connector, context: context).flatMap(\.records)
        #expect(all.count == 10)

        let checkpoints = try deliveries(of: connector, context: context).map(\.checkpoint)
        for (index, checkpoint) in checkpoints.enumerated() {
            let rest = try deliveries(of: connector, from: checkpoint, context: context)
            #expect(rest.flatMap(\.records) == Array(all.dropFirst(min(3 * (index + 1), 10))))
            if let first = rest.first { #expect(first.batch.fieldNames == ["id", "name", "amount", "paid", "note"]) }
        }
    }

    @Test("A record with the wrong number of fields stops the read, naming its line")
    func wrongFieldCount() throws {
        let header = (1...12).map { "c\($0)" }.joined(separator: ",")
        let record = (1...12).map(String.init).joined(separator: ",")
        var lines = [header] + Array(repeating: record, count: 15) + ["1,2,3,4,5"]
        lines += [record]
        try directory.write("wide.csv", lines.joined(separator: "\n"))
        let connector = CSVConnector(options: CSVOptions(path: "wide.csv"))
        let error = syncError { try deliveries(of: connector, context: directory.context()) }
        #expect(error?.kind == .sourceData)
        #expect(error?.message == "line 17 has 5 fields; the header has 12")
    }

    @Test("Paths outside the import directory are refused: absolute, with '..', or through a symbolic link")
    func pathEscapes() throws {
        let outside = try TemporaryImportDirectory()
        let secret = try outside.write("secret.csv", "id\n1\n")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.csv", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/escape", withDestinationPath: outside.path)
        try directory.write("inside.csv", "id\n1\n")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/alias.csv", withDestinationPath: directory.path + "/inside.csv")

        for path in [
            secret, "../" + (outside.path as NSString).lastPathComponent + "/secret.csv", "link.csv",
            "escape/secret.csv", "sub/../../secret.csv",
        ] {
            let connector = CSVConnector(options: CSVOptions(path: path))
            let error = syncError { try connector.checkConnection(context: directory.context()) }
            #expect(error?.kind == .configuration, "\(path)")
            let readError = syncError { try deliveries(of: connector, context: directory.context()) }
            #expect(readError?.kind == .configuration, "\(path)")
        }
        let alias = CSVConnector(options: CSVOptions(path: "alias.csv"))
        #expect(try deliveries(of: alias, context: directory.context()).flatMap(\.records) == [[.integer(1)]])
    }

    @Test("The connection check names the file, its columns and its size")
    func checkConnection() throws {
        try directory.write("orders.csv", ordersText(count: 200))
        let connector = CSVConnector(options: CSVOptions(path: "orders.csv"))
        let size = try #require(
            try FileManager.default.attributesOfItem(atPath: directory.path + "/orders.csv")[.size] as? Int)
        #expect(
            try connector.checkConnection(context: directory.context())
                == "orders.csv: 5 columns, \(CSVReader.describeSize(size))")
        #expect(CSVReader.describeSize(999) == "999 bytes")
        #expect(CSVReader.describeSize(4_200_000) == "4.2 MB")
        #expect(CSVReader.describeSize(999_960) == "1.0 MB")

        let missing = CSVConnector(options: CSVOptions(path: "missing.csv"))
        let error = syncError { try missing.checkConnection(context: directory.context()) }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "Cannot open missing.csv: No such file or directory.")
    }

    @Test("Semicolon files without a header get numbered columns")
    func delimiterWithoutHeader() throws {
        try directory.write("plain.csv", "1;2,5;x\n2;;y\n")
        let connector = CSVConnector(options: CSVOptions(path: "plain.csv", delimiter: ";", hasHeader: false))
        let delivered = try deliveries(of: connector, context: directory.context())
        #expect(delivered.first?.batch.fieldNames == ["column1", "column2", "column3"])
        #expect(
            delivered.flatMap(\.records) == [
                [.integer(1), .text("2,5"), .text("x")], [.integer(2), .null, .text("y")],
            ])
    }

    @Test("A cancelled run stops between batches")
    func cancellation() throws {
        try directory.write("orders.csv", ordersText(count: 10))
        let connector = CSVConnector(options: CSVOptions(path: "orders.csv"))
        let cancelled = Flag()
        var batches = 0
        let context = directory.context(batchSize: 4, isCancelled: { cancelled.isSet })
        let error = syncError {
            try connector.read(from: SyncCheckpoint(), context: context) { _, _ in
                batches += 1
                cancelled.set()
            }
        }
        #expect(error?.kind == .cancelled)
        #expect(batches == 1)
    }

    @Test("A checkpoint that is no position of the file is refused")
    func badCheckpoint() throws {
        try directory.write("orders.csv", ordersText(count: 2))
        let connector = CSVConnector(options: CSVOptions(path: "orders.csv"))
        for position in ["nonsense", "3:1", "999999:4"] {
            let error = syncError {
                try deliveries(of: connector, from: SyncCheckpoint(position: position), context: directory.context())
            }
            #expect(error?.kind == .sourceData, "\(position)")
        }
    }
}
