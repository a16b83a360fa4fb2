import Core
import Dispatch
import Foundation
import Storage
import Synchronization

/// Builds record tables' sort indexes in the background, one at a time.
///
/// A records query sorted by a field whose column has no index asks for one and is answered
/// without it; the queries after the index is built read pages by a range over it. Building
/// takes the write lock of the table for as long as it runs (about a second for a million
/// records), so it never runs inside a request.
public final class RecordIndexer: Sendable {
    private struct Request: Hashable {
        var sourceID: Int64
        var field: String
    }

    private let database: any Database
    private let logger: Logger
    private let queue = DispatchQueue(label: "syncline.record-indexer")
    private let pending = Mutex<Set<Request>>([])
    private let stopped = Atomic<Bool>(false)

    /// Creates an indexer over `database`.
    public init(database: any Database, logger: Logger) {
        self.database = database
        self.logger = logger.labeled("indexer")
    }

    /// Asks for a sort index on `field` of source `sourceID`'s live table; does nothing while the
    /// same index is asked for already, or after ``stop()``.
    func request(sourceID: Int64, field: String) {
        let request = Request(sourceID: sourceID, field: field)
        guard !stopped.load(ordering: .relaxed), pending.withLock({ $0.insert(request).inserted }) else { return }
        queue.async { [self] in
            defer { _ = pending.withLock { $0.remove(request) } }
            guard !stopped.load(ordering: .relaxed) else { return }
            build(request)
        }
    }

    /// Refuses further requests and waits for the index being built, if any.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        queue.sync {}
    }

    /// Waits until every index asked for so far is built or has failed.
    func waitUntilIdle() {
        queue.sync {}
    }

    private func build(_ request: Request) {
        let started = Date()
        let metadata = ["sourceId": String(request.sourceID), "field": request.field]
        do {
            let built = try database.transaction { connection in
                var table = try RecordTable.load(sourceID: request.sourceID, staging: false, on: connection)
                guard try table.exists(on: connection) else { return false }
                return try table.addSortIndex(field: request.field, on: connection)
            }
            guard built else { return }
            let milliseconds = Date().timeIntervalSince(started) * 1000
            logger.info(
                "sort index built", metadata.merging(["durationMs": String(format: "%.1f", milliseconds)]) { $1 })
        } catch {
            logger.warning("sort index failed", metadata.merging(["error": "\(error)"]) { $1 })
        }
    }
}
