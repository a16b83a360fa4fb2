import Core
import Dispatch
import Foundation
import Synchronization

/// A fixed pool of threads that claim queued runs and execute them, one run per thread.
///
/// An idle worker sleeps until woken (a run was queued in this process) or until the poll
/// interval passes (a run queued by another instance, or a lease that expired). On stop, running
/// syncs end at their next batch and go back to the queue with their checkpoint.
final class SyncWorkers: Sendable {
    private let engine: SyncEngine
    private let count: Int
    private let pollInterval: Duration
    private let logger: Logger
    private let shutdown = RunControl()
    private let wakeups = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()
    private let started = Mutex(false)

    init(engine: SyncEngine, count: Int, pollInterval: Duration, logger: Logger) {
        self.engine = engine
        self.count = count
        self.pollInterval = pollInterval
        self.logger = logger
    }

    func start() {
        guard
            started.withLock({ started in
                defer { started = true }
                return !started
            })
        else { return }
        for index in 0..<count {
            finished.enter()
            let thread = Thread { [self] in
                work()
                finished.leave()
            }
            thread.name = "sync-worker-\(index)"
            thread.start()
        }
    }

    /// Wakes an idle worker, if any, to look for a run.
    func wake() {
        wakeups.signal()
    }

    /// Stops every worker, letting running syncs reach a checkpoint, and waits for them.
    func stop() {
        shutdown.shutDown()
        guard started.withLock({ $0 }) else { return }
        for _ in 0..<count { wakeups.signal() }
        finished.wait()
    }

    private func work() {
        while !shutdown.shuttingDown {
            do {
                if try engine.runNext(shutdown: shutdown) { continue }
            } catch {
                logger.warning("claiming a sync run failed", ["error": String(describing: error)])
            }
            _ = wakeups.wait(timeout: .now() + .nanoseconds(Int(pollInterval.seconds * 1_000_000_000)))
        }
    }
}
