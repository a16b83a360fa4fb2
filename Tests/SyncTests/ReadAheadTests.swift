import Foundation
import Testing

@testable import Sync

@Suite("Read-ahead of a connector")
struct ReadAheadTests {
    private let directory: TemporaryImportDirectory

    init() throws {
        directory = try TemporaryImportDirectory()
    }

    private func numbered(_ count: Int) -> [[String: RecordValue]] {
        (1...count).map { ["id": .integer(Int64($0))] }
    }

    @Test("Batches arrive in order, and the connector's error after the batches read before it")
    func orderAndFailure() throws {
        let connector = ListConnector(records: numbered(95), pageSize: 10)
        connector.state.withLock { $0.failAtPage = 6 }
        var positions: [String?] = []
        var ids: [RecordValue] = []
        do throws(SyncError) {
            try ReadAhead.read(connector, from: SyncCheckpoint(), context: directory.context()) { batch, _ in
                batch
            } deliver: { (batch: RecordBatch, next: SyncCheckpoint) throws(SyncError) in
                positions.append(next.position)
                ids += (0..<batch.count).map { batch.value(record: $0, field: 0) }
            }
            Issue.record("The connector's failure was not thrown.")
        } catch {
            #expect(error.message == "The test source failed at page 6.")
        }
        #expect(positions == ["1", "2", "3", "4", "5", "6"])
        #expect(ids == (1...60).map { .integer(Int64($0)) })
    }

    @Test("When storing a batch fails, the reading thread stops and the call returns after it")
    func storingFailureStopsTheReader() throws {
        let connector = ListConnector(records: numbered(1000), pageSize: 10)
        var delivered = 0
        do throws(SyncError) {
            try ReadAhead.read(connector, from: SyncCheckpoint(), context: directory.context(), depth: 2) { batch, _ in
                batch
            } deliver: { (_: RecordBatch, _: SyncCheckpoint) throws(SyncError) in
                delivered += 1
                if delivered == 3 { throw SyncError(.storage, "The disk is full.") }
            }
            Issue.record("The storing failure was not thrown.")
        } catch {
            #expect(error.message == "The disk is full.")
        }
        // Three taken, at most two waiting, one more read and refused: the read went no further.
        let served = connector.state.withLock { $0.pagesServed }
        #expect(served <= 6)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(connector.state.withLock { $0.pagesServed } == served)
    }

    @Test("Batches are prepared on the reading thread, counted, and a failure to prepare one comes in order")
    func preparingOnTheReader() throws {
        let connector = ListConnector(records: numbered(45), pageSize: 10)
        let storing = pthread_self()
        var prepared: [(before: Int64, count: Int, onReader: Bool)] = []
        do throws(SyncError) {
            try ReadAhead.read(connector, from: SyncCheckpoint(), context: directory.context()) {
                batch, recordsBefore throws(SyncError) in
                if recordsBefore == 30 { throw SyncError(.sourceData, "Record 31 has no key.") }
                return (recordsBefore, batch.count, pthread_equal(pthread_self(), storing) == 0)
            } deliver: { (batch: (Int64, Int, Bool), _: SyncCheckpoint) throws(SyncError) in
                prepared.append(batch)
            }
            Issue.record("The failure to prepare was not thrown.")
        } catch {
            #expect(error.message == "Record 31 has no key.")
        }
        #expect(prepared.map(\.before) == [0, 10, 20])
        #expect(prepared.allSatisfy { $0.count == 10 && $0.onReader })
    }
}
