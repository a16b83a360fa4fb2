import Foundation
import Synchronization

@testable import Sync

/// A connector over records held in memory, for the engine's storage logic on both databases.
///
/// Pages are `pageSize` records; the checkpoint position is the
/// next page's number, and `since` keeps records whose `updated_at` is at or after it.
final class ListConnector: Connector, Sendable {
    struct State {
        var records: [[String: RecordValue]] = []
        var failAtPage: Int?
        var blockAtPage: Int?
        var pagesServed = 0
    }

    let state = Mutex(State())
    let pageSize: Int
    /// Signalled when a read reaches `blockAtPage`; the read then waits for `release`.
    let blocked = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    init(records: [[String: RecordValue]], pageSize: Int = 100) {
        self.pageSize = pageSize
        state.withLock { $0.records = records }
    }

    func set(_ records: [[String: RecordValue]]) {
        state.withLock { $0.records = records }
    }

    func checkConnection(context: ConnectorContext) throws(SyncError) -> String {
        "\(state.withLock { $0.records.count }) records in memory"
    }

    func read(
        from checkpoint: SyncCheckpoint, context: ConnectorContext,
        deliver: (RecordBatch, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        var page = checkpoint.position.flatMap { Int($0) } ?? 0
        while true {
            try context.checkCancelled()
            let (records, failAt, blockAt) = state.withLock { state in
                state.pagesServed += 1
                return (state.records, state.failAtPage, state.blockAtPage)
            }
            if page == failAt { throw SyncError(.connection, "The test source failed at page \(page).") }
            if page == blockAt {
                blocked.signal()
                release.wait()
            }
            let selected = records.filter { record in
                guard let since = checkpoint.since, case .text(let updated)? = record["updated_at"] else { return true }
                return updated >= since
            }
            let slice = selected.dropFirst(page * pageSize).prefix(pageSize)
            guard !slice.isEmpty else { return }
            var batch = RecordBatch()
            for record in slice {
                var values: [RecordValue] = []
                for (name, value) in record.sorted(by: { $0.key < $1.key }) {
                    let position = batch.position(ofField: name)
                    if values.count <= position {
                        values += Array(repeating: .null, count: position + 1 - values.count)
                    }
                    values[position] = value
                }
                batch.append(values)
            }
            page += 1
            try deliver(batch, SyncCheckpoint(since: checkpoint.since, position: String(page)))
            if slice.count < pageSize { return }
        }
    }
}
