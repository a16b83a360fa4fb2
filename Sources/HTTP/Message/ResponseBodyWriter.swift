import Foundation

/// The producer's end of a streamed body: a bounded queue of chunks read by the server thread.
///
/// The producer blocks while `capacity` chunks wait unsent, so a slow client bounds memory.
/// `pending` belongs to the producer thread alone; `condition` guards everything else.
public final class ResponseBodyWriter: @unchecked Sendable {
    /// Raised by `write` once the client has gone away; producers stop on it.
    public struct ClientGoneError: Error {}

    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var pending: [UInt8] = []
    private var finished = false
    private var failed = false
    private var cancelled = false
    private let capacity: Int
    private let chunkSize: Int

    init(capacity: Int = 4, chunkSize: Int = 64 * 1024) {
        self.capacity = capacity
        self.chunkSize = chunkSize
    }

    /// Appends bytes to the body; buffers small writes into chunks of about 64 KiB.
    public func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= chunkSize {
            try flush()
        }
    }

    /// Appends `text` to the body as UTF-8.
    public func write(_ text: String) throws {
        try write(text.utf8)
    }

    /// Hands the buffered bytes to the server now.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let chunk = pending
        pending.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= capacity && !cancelled {
            condition.wait()
        }
        if cancelled { throw ClientGoneError() }
        chunks.append(chunk)
        condition.broadcast()
    }

    /// Marks the end of the body, after a last flush, or an error that cuts the body short.
    func finish(failed: Bool) {
        if !failed { try? flush() }
        condition.lock()
        finished = true
        self.failed = failed
        condition.broadcast()
        condition.unlock()
    }

    /// Called when the response is dropped; wakes a blocked producer.
    func cancel() {
        condition.lock()
        cancelled = true
        chunks.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    enum Next {
        case chunk([UInt8])
        case end
        case error
    }

    /// The next chunk for the server thread, waiting for the producer when none is ready.
    func next() -> Next {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished {
            condition.wait()
        }
        if !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            condition.broadcast()
            return .chunk(chunk)
        }
        return failed ? .error : .end
    }
}
