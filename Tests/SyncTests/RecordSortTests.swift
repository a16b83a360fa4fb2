import Foundation
import Storage
import TestSupport
import Testing

@testable import Sync

/// Records 1…count whose amounts repeat (so sorts tie and fall back to the key) and are missing
/// from every fifth record; `region` alternates between two values for filters.
private func amounts(_ count: Int, amount: (Int) -> RecordValue = { .integer(Int64($0 % 7)) })
    -> [[String: RecordValue]]
{
    (1...count).map { id in
        [
            "id": .integer(Int64(id)), "region": .text(id % 2 == 0 ? "EU" : "US"),
            "amount": id % 5 == 0 ? .null : amount(id), "updated_at": .text("2026-12-01T10:00:00Z"),
        ]
    }
}

/// The keys `records` should come in when sorted by amount, records without one last, ties and
/// those in key order (the key is text), the whole order reversed but for the missing ones last.
private func expectedKeys(_ records: [[String: RecordValue]], descending: Bool) -> [String] {
    func amount(_ record: [String: RecordValue]) -> Int64? {
        if case .integer(let number)? = record["amount"] { return number }
        return nil
    }
    func key(_ record: [String: RecordValue]) -> String {
        if case .integer(let number)? = record["id"] { return String(number) }
        return ""
    }
    let present = records.filter { amount($0) != nil }.sorted {
        let (left, right) = (amount($0)!, amount($1)!)
        if left != right { return descending ? left > right : left < right }
        return descending ? key($0) > key($1) : key($0) < key($1)
    }
    let missing = records.filter { amount($0) == nil }.map(key).sorted(by: descending ? (>) : (<))
    return present.map(key) + missing
}

/// Every key of `query`'s pages, read page after page through the cursor.
private func walk(_ reader: RecordReader, sourceID: Int64, query: RecordQuery) throws -> [String] {
    var query = query
    var keys: [String] = []
    for _ in 0..<100 {
        let page = try reader.records(sourceID: sourceID, query: query)
        let idColumn = try #require(page.columns.firstIndex { $0.field == "id" })
        keys += page.records.map { record in
            if case .integer(let number) = record[idColumn] { return String(number) }
            return "?"
        }
        guard let next = page.nextCursor else { return keys }
        query.after = next
    }
    Issue.record("The pages did not end.")
    return keys
}

private func sortedQuery(descending: Bool, filters: [RecordFilter] = []) -> RecordQuery {
    var query = RecordQuery()
    query.sort = "amount"
    query.descending = descending
    query.filters = filters
    query.limit = 7
    return query
}

/// The names of the indexes the database holds on source `sourceID`'s live table.
private func catalogIndexes(sourceID: Int64, on database: any Database) throws -> Set<String> {
    try database.read { connection in
        let table = RecordSQL.tableName(sourceID: sourceID, staging: false)
        let sql =
            connection.dialect == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL"
            : """
            SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = to_regclass($1) AND NOT i.indisprimary
            """
        return Set(try connection.query(sql, [.text(table)]).map { try $0.string(0) })
    }
}

@Suite("Record sorting and sort indexes", .serialized)
struct RecordSortTests {
    @Test(
        "Sorted pages return every record once, in order, both ways, with and without a sort index",
        arguments: TestStore.all)
    func pagesWalkTheOrder(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let records = amounts(83)
            let fixture = try SyncFixture(database, connector: ListConnector(records: records))
            let source = try fixture.addSource()
            #expect(try fixture.sync(source).status == .succeeded)
            let europe = records.filter { $0["region"] == .text("EU") }
            let filter = RecordFilter(field: "region", operation: .eq, value: "EU")

            let plain = RecordReader(database: database)
            for descending in [false, true] {
                let keys = try walk(plain, sourceID: source.id, query: sortedQuery(descending: descending))
                #expect(keys == expectedKeys(records, descending: descending))
                let filtered = try walk(
                    plain, sourceID: source.id, query: sortedQuery(descending: descending, filters: [filter]))
                #expect(filtered == expectedKeys(europe, descending: descending))
            }
            #expect(try fixture.sources.sortIndexedFields(sourceID: source.id).isEmpty)

            let indexer = RecordIndexer(database: database, logger: testLogger)
            let indexing = RecordReader(database: database, indexer: indexer)
            _ = try indexing.records(sourceID: source.id, query: sortedQuery(descending: false))
            indexer.waitUntilIdle()
            #expect(try fixture.sources.sortIndexedFields(sourceID: source.id) == ["amount"])
            #expect(try catalogIndexes(sourceID: source.id, on: database).count == 1)
            for descending in [false, true] {
                let keys = try walk(indexing, sourceID: source.id, query: sortedQuery(descending: descending))
                #expect(keys == expectedKeys(records, descending: descending))
                let filtered = try walk(
                    indexing, sourceID: source.id, query: sortedQuery(descending: descending, filters: [filter]))
                #expect(filtered == expectedKeys(europe, descending: descending))
            }
            indexer.stop()
        }
    }

    @Test("A sorted page, and the page after a cursor, read by a range over the sort index", arguments: TestStore.all)
    func pagesUseTheIndex(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: amounts(40)))
            let source = try fixture.addSource()
            #expect(try fixture.sync(source).status == .succeeded)
            let index = try database.transaction { connection in
                var table = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
                #expect(try table.addSortIndex(field: "amount", on: connection))
                #expect(try !table.addSortIndex(field: "amount", on: connection))
                #expect(try !table.addSortIndex(field: "no such field", on: connection))
                return try #require(table.sortIndexes["amount"])
            }
            let reader = RecordReader(database: database)
            let first = try reader.records(sourceID: source.id, query: sortedQuery(descending: true))
            var next = sortedQuery(descending: true)
            let cursor: String = try #require(first.nextCursor)
            next.after = cursor

            for query in [sortedQuery(descending: false), sortedQuery(descending: true), next] {
                let plan = try database.transaction { connection in
                    let table = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
                    let plan = try RecordQueryPlan(table: table, query: query, dialect: connection.dialect, paged: true)
                    switch connection.dialect {
                    case .sqlite:
                        return try connection.query("EXPLAIN QUERY PLAN " + plan.sql, plan.parameters)
                            .map { try $0.string(3) }.joined(separator: "\n")
                    case .postgres:
                        // With scans and sorts priced out, the plan shows whether the index can serve.
                        try connection.execute("SET LOCAL enable_seqscan = off")
                        try connection.execute("SET LOCAL enable_sort = off")
                        return try connection.query("EXPLAIN " + plan.sql, plan.parameters)
                            .map { try $0.string(0) }.joined(separator: "\n")
                    }
                }
                // Every read of the table is a search of the sort index (SQLite) or an index scan
                // (PostgreSQL), never a scan of the whole table.
                let reads = plan.split(separator: "\n").filter { $0.contains("records_\(source.id)") }
                #expect(reads.contains { $0.contains(index) }, "\(plan)")
                #expect(!reads.contains { $0.hasPrefix("SCAN") || $0.contains("Seq Scan") }, "\(plan)")
            }
        }
    }

    @Test("A full refresh builds the live table's sort indexes again over the new rows", arguments: TestStore.all)
    func fullRefreshKeepsIndexes(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: amounts(60)))
            let source = try fixture.addSource()
            #expect(try fixture.sync(source).status == .succeeded)
            let indexer = RecordIndexer(database: database, logger: testLogger)
            indexer.request(sourceID: source.id, field: "amount")
            indexer.waitUntilIdle()
            let before = try catalogIndexes(sourceID: source.id, on: database)
            #expect(before.count == 1)

            let replaced = amounts(45) { .integer(Int64(100 - $0)) }
            fixture.connector.set(replaced)
            #expect(try fixture.sync(source).status == .succeeded)
            #expect(try fixture.sources.sortIndexedFields(sourceID: source.id) == ["amount"])
            let after = try catalogIndexes(sourceID: source.id, on: database)
            #expect(after.count == 1 && after != before, "\(before) \(after)")
            let keys = try walk(
                RecordReader(database: database), sourceID: source.id, query: sortedQuery(descending: false))
            #expect(keys == expectedKeys(replaced, descending: false))
            indexer.stop()
        }
    }

    @Test("An indexed column widened by an incremental sync keeps its index", arguments: TestStore.all)
    func widenedColumnKeepsIndex(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: amounts(30)))
            let source = try fixture.addSource(mode: .incremental)
            #expect(try fixture.sync(source).status == .succeeded)
            try database.transaction { connection in
                var table = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
                #expect(try table.addSortIndex(field: "amount", on: connection))
            }
            var changed = amounts(30)
            changed[2]["amount"] = .real(2.5)
            changed[2]["updated_at"] = .text("2026-12-02T10:00:00Z")
            fixture.connector.set(changed)
            let run = try fixture.sync(source)
            #expect(run.status == .succeeded, "\(run.error ?? "")")
            #expect(try fixture.sources.columns(sourceID: source.id).first { $0.field == "amount" }?.type == .real)
            #expect(try fixture.sources.sortIndexedFields(sourceID: source.id) == ["amount"])
            #expect(try catalogIndexes(sourceID: source.id, on: database).count == 1)
            let keys = try walk(
                RecordReader(database: database), sourceID: source.id, query: sortedQuery(descending: false))
            #expect(keys.count == 30 && keys.prefix(5) == ["14", "21", "28", "7", "1"])
            #expect(keys.firstIndex(of: "3")! == keys.firstIndex(of: "9")! + 1)
        }
    }

    @Test("A table gets at most the most sort indexes allowed", arguments: TestStore.all)
    func indexesAreCapped(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let wide = (1...3).map { id -> [String: RecordValue] in
                var record: [String: RecordValue] = ["id": .integer(Int64(id))]
                for field in 1...12 { record["f\(field)"] = .integer(Int64(id * field)) }
                return record
            }
            let fixture = try SyncFixture(database, connector: ListConnector(records: wide))
            let source = try fixture.addSource()
            #expect(try fixture.sync(source).status == .succeeded)
            let added = try database.transaction { connection in
                var table = try RecordTable.load(sourceID: source.id, staging: false, on: connection)
                return try (1...12).filter { try table.addSortIndex(field: "f\($0)", on: connection) }.count
            }
            #expect(added == RecordTable.maximumSortIndexes)
            #expect(try catalogIndexes(sourceID: source.id, on: database).count == RecordTable.maximumSortIndexes)
        }
    }
}
