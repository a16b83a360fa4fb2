import Foundation
import Storage
import TestSupport
import Testing

@testable import Sync

/// Records `id` 1…count with a mix of kinds; `version` changes every record's amount.
private func orders(_ count: Int, version: Int = 0, from first: Int = 1) -> [[String: RecordValue]] {
    (first..<(first + count)).map { id -> [String: RecordValue] in
        var record: [String: RecordValue] = [:]
        record["id"] = .integer(Int64(id))
        record["customer"] = .text("customer \(id % 17) ‘ünï’")
        record["amount"] = .integer(Int64(id * 10 + version))
        record["paid"] = .bool(id % 2 == 0)
        record["ordered_at"] = .text("2026-0\(1 + id % 9)-1\(id % 10)T10:00:00Z")
        record["tags"] = .json(#"["a","b"]"#)
        record["note"] = id % 5 == 0 ? .null : .text("")
        record["updated_at"] = .text(String(format: "2026-12-01T10:%02d:%02dZ", (id / 60) % 60, id % 60))
        return record
    }
}

@Suite("Sync engine", .serialized)
struct SyncEngineTests {
    @Test(
        "A full refresh stores every record exactly, and a second one replaces the set atomically",
        arguments: TestStore.all)
    func fullRefresh(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(250)))
            let source = try fixture.addSource()
            let first = try fixture.sync(source)
            #expect(first.status == .succeeded, "\(first.error ?? "")")
            #expect(first.recordsRead == 250)
            #expect(first.pages == 3)
            let columns = try fixture.sources.columns(sourceID: source.id)
            #expect(
                Set(columns.map(\.field)) == [
                    "id", "customer", "amount", "paid", "ordered_at", "tags", "note", "updated_at",
                ])
            #expect(columns.first { $0.field == "ordered_at" }?.type == .timestamp)
            #expect(columns.first { $0.field == "paid" }?.type == .boolean)
            #expect(columns.first { $0.field == "tags" }?.type == .json)
            #expect(try fixture.rows(of: source) == fixture.expected(orders(250), columns: columns))
            #expect(try fixture.sources.find(id: source.id)?.recordCount == 250)

            let firstSeen = try database.read { connection in
                try connection.queryOne("SELECT __first_seen FROM records_\(source.id) WHERE __pk = '7'")?.date(0)
            }
            let second = orders(120, version: 1, from: 100)
            fixture.connector.set(second)
            #expect(try fixture.sync(source).status == .succeeded)
            #expect(try fixture.rows(of: source) == fixture.expected(second, columns: columns))
            #expect(try fixture.sources.find(id: source.id)?.recordCount == 120)
            let kept = try database.read { connection in
                try connection.queryOne("SELECT __first_seen FROM records_\(source.id) WHERE __pk = '150'")?.date(0)
            }
            #expect(kept != nil && firstSeen != nil && kept! <= Date())
            let stagingLeft = try database.read {
                try RecordTable.load(sourceID: source.id, staging: true, on: $0).exists(on: $0)
            }
            #expect(!stagingLeft)
        }
    }

    @Test(
        "A first sync whose source repeats keys in later batches keeps each key's last record",
        arguments: TestStore.all, [SyncMode.full, .incremental])
    func firstSyncWithRepeatedKeys(store: TestStore, mode: SyncMode) throws {
        try withTestDatabase(store) { database in
            // Pages of 100: ids 50…79 come again, changed, on the third page, 260 twice on it,
            // and 5 once more on the fourth, after the batches have gone back to merging.
            let records =
                orders(250) + orders(30, version: 2, from: 50) + orders(1, version: 3, from: 260)
                + orders(1, version: 4, from: 260) + orders(18, from: 300) + orders(1, version: 5, from: 5)
            let fixture = try SyncFixture(database, connector: ListConnector(records: records))
            let source = try fixture.addSource(mode: mode)
            let run = try fixture.sync(source)
            #expect(run.status == .succeeded, "\(run.error ?? "")")
            #expect(run.recordsRead == 301)
            let columns = try fixture.sources.columns(sourceID: source.id)
            let expected =
                orders(4) + orders(1, version: 5, from: 5) + orders(44, from: 6) + orders(30, version: 2, from: 50)
                + orders(171, from: 80) + orders(1, version: 4, from: 260) + orders(18, from: 300)
            #expect(try fixture.rows(of: source) == fixture.expected(expected, columns: columns))
            #expect(try fixture.sources.find(id: source.id)?.recordCount == 269)
        }
    }

    @Test(
        "An incremental run keeps the record count batch by batch, records that come back included",
        arguments: TestStore.all)
    func incrementalRecordCount(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(250)))
            let source = try fixture.addSource(marksDeleted: true)
            #expect(try fixture.sync(source).status == .succeeded)
            fixture.connector.set(orders(200))
            #expect(try fixture.sync(source).status == .succeeded)
            #expect(try fixture.sources.find(id: source.id)?.recordCount == 200)

            // Switched to incremental: 11 records change, 50 marked deleted come back, 10 are new.
            var definition = source.definition
            definition.mode = .incremental
            definition.marksDeleted = false
            definition.cursor = CursorOptions(field: "updated_at", lookback: 0)
            _ = try fixture.sources.update(id: source.id, to: definition)
            fixture.connector.set(orders(71, version: 1, from: 190))
            for _ in 0..<2 {
                let run = try fixture.sync(source)
                #expect(run.status == .succeeded, "\(run.error ?? "")")
                let counted = try database.read {
                    try RecordTable.load(sourceID: source.id, staging: false, on: $0).recordCount(on: $0)
                }
                #expect(counted == 260)
                #expect(try fixture.sources.find(id: source.id)?.recordCount == counted)
            }
        }
    }

    @Test("A batch wider than one statement's parameters is stored in several statements", arguments: TestStore.all)
    func wideBatches(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let records = (1...1_500).map { id -> [String: RecordValue] in
                var record: [String: RecordValue] = ["id": .integer(Int64(id))]
                for field in 1...15 { record["field\(field)"] = .text("value \(id)-\(field)") }
                return record
            }
            let fixture = try SyncFixture(database, connector: ListConnector(records: records, pageSize: 1_500))
            let source = try fixture.addSource()
            let run = try fixture.sync(source)
            #expect(run.status == .succeeded, "\(run.error ?? "")")
            #expect(run.recordsWritten == 1_500)
            let columns = try fixture.sources.columns(sourceID: source.id)
            #expect(try fixture.rows(of: source) == fixture.expected(records, columns: columns))
        }
    }

    @Test("A failed full refresh leaves the previous records untouched", arguments: TestStore.all)
    func failedFullRefreshKeepsOldData(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(250)))
            let source = try fixture.addSource()
            try fixture.sync(source)
            let before = try fixture.rows(of: source)
            fixture.connector.set(orders(250, version: 5))
            fixture.connector.state.withLock { $0.failAtPage = 2 }
            let failed = try fixture.sync(source)
            #expect(failed.status == .failed)
            #expect(failed.error?.contains("failed at page 2") == true)
            #expect(try fixture.rows(of: source) == before)
            #expect(fixture.audit.recorded.last?.action == "sync.run")
            #expect(fixture.audit.recorded.last?.outcome == .failure)
        }
    }

    @Test("Columns appear for new fields and widen from integer to real to text", arguments: TestStore.all)
    func schemaEvolution(store: TestStore) throws {
        try withTestDatabase(store) { database in
            var records: [[String: RecordValue]] = (1...150).map {
                ["id": .integer(Int64($0)), "score": .integer(Int64($0)), "empty": .null]
            }
            let fixture = try SyncFixture(database, connector: ListConnector(records: records))
            let source = try fixture.addSource(mode: .incremental)
            #expect(try fixture.sync(source).status == .succeeded)
            var columns = try fixture.sources.columns(sourceID: source.id)
            #expect(columns.map(\.field).sorted() == ["id", "score"])
            #expect(columns.first { $0.field == "score" }?.type == .integer)

            records[3]["score"] = .real(2.5)
            records[4]["label"] = .text("new field")
            fixture.connector.set(records)
            #expect(try fixture.sync(source).status == .succeeded)
            columns = try fixture.sources.columns(sourceID: source.id)
            #expect(columns.first { $0.field == "score" }?.type == .real)
            #expect(columns.first { $0.field == "label" }?.type == .text)
            #expect(try fixture.rows(of: source) == fixture.expected(records, columns: columns))

            records[5]["score"] = .text("n/a")
            fixture.connector.set(records)
            #expect(try fixture.sync(source).status == .succeeded)
            columns = try fixture.sources.columns(sourceID: source.id)
            #expect(columns.first { $0.field == "score" }?.type == .text)
            let rows = try fixture.rows(of: source)
            #expect(rows.contains { $0.hasPrefix("pk=4|") && $0.contains("score=2.5") })
            #expect(rows.contains { $0.hasPrefix("pk=6|") && $0.contains("score=n/a") })
            #expect(rows.contains { $0.hasPrefix("pk=7|") && $0.contains("score=7") })
        }
    }

    @Test("An incremental sync reads from the cursor minus the look-back and upserts by key", arguments: TestStore.all)
    func incremental(store: TestStore) throws {
        try withTestDatabase(store) { database in
            var records = orders(250)
            let fixture = try SyncFixture(database, connector: ListConnector(records: records))
            let source = try fixture.addSource(mode: .incremental, lookback: 60)
            #expect(try fixture.sync(source).status == .succeeded)
            let cursor = try #require(try fixture.sources.find(id: source.id)?.cursor)
            #expect(cursor == "2026-12-01T10:04:10Z")

            // Two records changed after the last sync at the cursor's own second, one within the
            // look-back window, and ten new ones.
            records[249]["amount"] = .integer(-1)
            records[245]["amount"] = .integer(-2)
            records += orders(10, from: 251)
            fixture.connector.set(records)
            let second = try fixture.sync(source)
            #expect(second.status == .succeeded)
            #expect(second.recordsRead < 100)
            #expect(second.recordsWritten == 12)
            let columns = try fixture.sources.columns(sourceID: source.id)
            #expect(try fixture.rows(of: source) == fixture.expected(records, columns: columns))

            let replay = try fixture.sync(source)
            #expect(replay.status == .succeeded)
            #expect(replay.recordsRead > 0)
            #expect(replay.recordsWritten == 0)
            #expect(try fixture.rows(of: source) == fixture.expected(records, columns: columns))
        }
    }

    @Test(
        "A run whose instance stops renewing its lease is taken over and resumes from its checkpoint",
        arguments: TestStore.all)
    func leaseTakeover(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let records = orders(1000)
            let fixture = try SyncFixture(database, connector: ListConnector(records: records))
            let source = try fixture.addSource(mode: .incremental)
            let queued = try fixture.queue.enqueue(sourceID: source.id, trigger: .manual, requestedBy: "tester")
            let stalled = fixture.instance("stalled")
            let run = try #require(try fixture.queue.claim(runID: queued.id, owner: "stalled", lease: .seconds(30)))
            fixture.connector.state.withLock { $0.blockAtPage = 4 }
            let first = Thread { stalled.execute(run, shutdown: RunControl()) }
            first.start()
            fixture.connector.blocked.wait()

            // The connector reads ahead of the storing thread: once the stalled instance has
            // committed the four pages read before the block, its lease is made to run out.
            var checkpoint: SyncCheckpoint?
            for _ in 0..<500 where checkpoint?.position != "4" {
                checkpoint = try fixture.queue.find(id: run.id)?.checkpoint
                if checkpoint?.position != "4" { Thread.sleep(forTimeInterval: 0.01) }
            }
            #expect(checkpoint?.position == "4")
            try database.write { connection in
                try connection.execute(
                    "UPDATE sync_runs SET lease_expires_at = $1 WHERE id = $2",
                    [.timestamp(Date().addingTimeInterval(-1)), .integer(run.id)])
            }
            fixture.connector.state.withLock {
                $0.blockAtPage = nil
                $0.pagesServed = 0
            }
            let taken = try #require(try fixture.queue.claim(owner: "rescuer", lease: .seconds(30)))
            #expect(taken.id == run.id)
            #expect(taken.attempts == 2)
            fixture.instance("rescuer").execute(taken, shutdown: RunControl())
            #expect(fixture.connector.state.withLock { $0.pagesServed } == 7)

            fixture.connector.release.signal()
            while first.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
            let ended = try #require(try fixture.queue.find(id: run.id))
            #expect(ended.status == .succeeded)
            #expect(ended.recordsRead == 1000)
            let columns = try fixture.sources.columns(sourceID: source.id)
            #expect(try fixture.rows(of: source) == fixture.expected(records, columns: columns))
        }
    }

    @Test("A full refresh can keep vanished records marked deleted", arguments: TestStore.all)
    func marksDeleted(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(30)))
            let source = try fixture.addSource(marksDeleted: true)
            try fixture.sync(source)
            fixture.connector.set(orders(20))
            try fixture.sync(source)
            let (deleted, total) = try database.read { connection in
                let row = try connection.queryOne(
                    "SELECT count(__deleted_at), count(*) FROM records_\(source.id)")!
                return (try row.int(0), try row.int(1))
            }
            #expect(deleted == 10)
            #expect(total == 30)
            #expect(try fixture.sources.find(id: source.id)?.recordCount == 20)
        }
    }

    @Test("Cancelling a queued run ends it; a running one stops at its next batch", arguments: TestStore.all)
    func cancellation(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(1000)))
            let source = try fixture.addSource()
            let queued = try fixture.queue.enqueue(sourceID: source.id, trigger: .manual, requestedBy: "tester")
            #expect(try fixture.queue.requestCancel(id: queued.id).status == .cancelled)

            let second = try fixture.queue.enqueue(sourceID: source.id, trigger: .manual, requestedBy: "tester")
            #expect(throws: SyncError.self) {
                try fixture.queue.enqueue(sourceID: source.id, trigger: .manual, requestedBy: "tester")
            }
            let run = try #require(
                try fixture.queue.claim(runID: second.id, owner: fixture.engine.owner, lease: .seconds(30)))
            fixture.connector.state.withLock { $0.blockAtPage = 2 }
            let thread = Thread { fixture.engine.execute(run, shutdown: RunControl()) }
            thread.start()
            fixture.connector.blocked.wait()
            _ = try fixture.queue.requestCancel(id: run.id)
            fixture.connector.release.signal()
            while thread.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
            let ended = try #require(try fixture.queue.find(id: run.id))
            #expect(ended.status == .cancelled)
            #expect(ended.recordsRead < 1000)
            let tables = try database.read { connection in
                try [false, true].map {
                    try RecordTable.load(sourceID: source.id, staging: $0, on: connection).exists(on: connection)
                }
            }
            #expect(tables == [false, false])
        }
    }

    @Test("The scheduler queues a due source once and moves its next time on", arguments: TestStore.all)
    func scheduler(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(5)))
            let now = Date()
            let source = try fixture.sources.create(
                SourceDefinition(
                    name: "scheduled", connection: .csv(CSVOptions(path: "x.csv")), primaryKey: ["id"],
                    schedule: .interval(seconds: 60)), now: now.addingTimeInterval(-120))
            #expect(try SyncScheduler.tick(database: database, now: now) == 1)
            #expect(try SyncScheduler.tick(database: database, now: now) == 0)
            let runs = try fixture.queue.list(sourceID: source.id)
            #expect(runs.count == 1)
            #expect(runs.first?.trigger == .schedule)
            let next = try #require(try fixture.sources.find(id: source.id)?.nextSyncAt)
            #expect(abs(next.timeIntervalSince(now) - 60) < 1)
        }
    }

    @Test(
        "The data version grows with each successful run and each incremental batch that changed records",
        arguments: TestStore.all)
    func dataVersion(store: TestStore) throws {
        try withTestDatabase(store) { database in
            let fixture = try SyncFixture(database, connector: ListConnector(records: orders(250)))
            let full = try fixture.addSource()
            let incremental = try fixture.addSource(mode: .incremental)
            func version(_ source: Source) throws -> Int64? {
                try fixture.sources.dataVersions(sourceIDs: [source.id, full.id, incremental.id])[source.id]
            }
            #expect(try fixture.sources.dataVersions(sourceIDs: [full.id, incremental.id, 999]).count == 2)
            #expect(try version(full) == 0)

            #expect(try fixture.sync(full).status == .succeeded)
            #expect(try version(full) == 1)
            #expect(try version(incremental) == 0)
            fixture.connector.state.withLock { $0.failAtPage = 1 }
            #expect(try fixture.sync(full).status == .failed)
            #expect(try version(full) == 1)

            // Page 0 commits its 100 records before page 1 fails: readers see them, so the version moves.
            #expect(try fixture.sync(incremental).status == .failed)
            #expect(try version(incremental) == 1)
            fixture.connector.state.withLock { $0.failAtPage = nil }
            #expect(try fixture.sync(incremental).status == .succeeded)
            #expect(try version(incremental) == 4)
            #expect(try fixture.sync(incremental).status == .succeeded)
            #expect(try version(incremental) == 5)
        }
    }
}
