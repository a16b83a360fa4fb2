import Dispatch
import Foundation
import Synchronization

/// Runs a connector's read on a thread of its own, up to `depth` batches ahead of the thread
/// that stores them, so that fetching, parsing and preparing the next batch overlaps storing the
/// last.
///
/// Each batch goes through `prepare` on the reading thread, with the number of records read
/// before it, and what that gives reaches `deliver` on the calling thread, in the order read, then
/// goes back to the reading thread to be freed there (a batch is thousands of allocations). An
/// error the connector or `prepare` throws reaches the caller after the batches read before it,
/// as if the read ran on the calling thread. When `deliver` throws, the reading thread is told
/// to stop (its context reports cancellation, and handing over its next batch fails), and the
/// call returns once it has stopped, so the connector never outlives the call.
enum ReadAhead {
    static func read<Prepared: Sendable>(
        _ connector: any Connector, from checkpoint: SyncCheckpoint, context: ConnectorContext, depth: Int = 2,
        prepare: @escaping @Sendable (RecordBatch, _ recordsBefore: Int64) throws(SyncError) -> Prepared,
        deliver: (Prepared, SyncCheckpoint) throws(SyncError) -> Void
    ) throws(SyncError) {
        let channel = Channel<Prepared>(depth: depth)
        var readerContext = context
        readerContext.isCancelled = { context.isCancelled() || channel.isAbandoned }
        let reader = Thread { [readerContext] in
            var recordsBefore: Int64 = 0
            do throws(SyncError) {
                try connector.read(from: checkpoint, context: readerContext) {
                    (batch: RecordBatch, next: SyncCheckpoint) throws(SyncError) in
                    let prepared = try prepare(batch, recordsBefore)
                    recordsBefore += Int64(batch.count)
                    guard channel.put(.batch(prepared, next)) else {
                        throw SyncError(.cancelled, "The sync stopped storing batches.")
                    }
                }
                channel.finish(with: nil)
            } catch {
                channel.finish(with: error)
            }
        }
        // Parsers recurse into nested values; the default stack of a secondary thread is small.
        reader.stackSize = 8 << 20
        reader.start()
        defer { channel.abandon() }
        while true {
            switch channel.take() {
            case .batch(let prepared, let next):
                try deliver(prepared, next)
                channel.giveBack(prepared)
            case .end(let error?):
                throw error
            case .end(nil):
                return
            }
        }
    }

    /// The batches in flight between the reading thread and the storing one.
    private final class Channel<Prepared: Sendable>: Sendable {
        enum Item: Sendable {
            case batch(Prepared, SyncCheckpoint)
            /// The read ended, with the connector's error if it failed.
            case end(SyncError?)
        }

        private let items = Mutex<[Item]>([])
        /// Batches delivered and given back, freed by the reading thread's next `put`.
        private let delivered = Mutex<[Prepared]>([])
        private let room = DispatchSemaphore(value: 0)
        private let filled = DispatchSemaphore(value: 0)
        private let finished = DispatchSemaphore(value: 0)
        private let abandoned = Atomic<Bool>(false)

        init(depth: Int) {
            // Dispatch refuses to free a semaphore whose count is below the one it was made with,
            // so the room is made empty and then given.
            for _ in 0..<max(1, depth) { room.signal() }
        }

        var isAbandoned: Bool { abandoned.load(ordering: .acquiring) }

        /// Waits for room and queues `item`; false once the storing side has stopped taking.
        func put(_ item: Item) -> Bool {
            var spent: [Prepared] = []
            delivered.withLock { swap(&spent, &$0) }
            spent.removeAll()
            room.wait()
            guard !isAbandoned else { return false }
            items.withLock { $0.append(item) }
            filled.signal()
            return true
        }

        /// Hands a delivered batch to the reading thread to free.
        func giveBack(_ prepared: Prepared) {
            delivered.withLock { $0.append(prepared) }
        }

        /// Queues the end of the read, and marks the reading thread done.
        func finish(with error: SyncError?) {
            items.withLock { $0.append(.end(error)) }
            filled.signal()
            finished.signal()
        }

        /// Waits for the next item.
        func take() -> Item {
            filled.wait()
            let item = items.withLock { $0.removeFirst() }
            room.signal()
            return item
        }

        /// Stops the reading thread at its next batch or cancellation check, and waits until it
        /// has finished.
        func abandon() {
            abandoned.store(true, ordering: .releasing)
            room.signal()
            finished.wait()
        }
    }
}
