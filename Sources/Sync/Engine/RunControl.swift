import Dispatch
import Synchronization

/// The reasons a running sync must stop early, set by its heartbeat or the worker pool and read
/// by the run between batches.
final class RunControl: Sendable {
    private struct Flags {
        var cancelRequested = false
        var leaseLost = false
        var shuttingDown = false
    }

    private let flags = Mutex(Flags())

    /// True once any reason to stop has been set.
    var shouldStop: Bool {
        flags.withLock { $0.cancelRequested || $0.leaseLost || $0.shuttingDown }
    }

    /// Whether an admin asked to cancel the run.
    var cancelRequested: Bool { flags.withLock { $0.cancelRequested } }

    /// Whether another instance may have taken the run over.
    var leaseLost: Bool { flags.withLock { $0.leaseLost } }

    /// Whether the process is stopping.
    var shuttingDown: Bool { flags.withLock { $0.shuttingDown } }

    func requestCancel() { flags.withLock { $0.cancelRequested = true } }
    func loseLease() { flags.withLock { $0.leaseLost = true } }
    func shutDown() { flags.withLock { $0.shuttingDown = true } }

    /// Throws the error that matches the first reason to stop, if any.
    func check() throws(SyncError) {
        let current = flags.withLock { $0 }
        if current.leaseLost { throw SyncError(.leaseLost, "Another instance took the run over.") }
        if current.cancelRequested { throw SyncError(.cancelled, "The sync was cancelled.") }
        if current.shuttingDown { throw SyncError(.cancelled, "The server is shutting down.") }
    }
}

/// Renews a run's lease on a timer while it runs, and passes on cancellation requests.
final class Heartbeat {
    private let timer: any DispatchSourceTimer

    init(interval: Duration, control: RunControl, renew: @escaping @Sendable () throws -> (Bool, Bool)) {
        timer = DispatchSource.makeTimerSource(queue: .global())
        let nanoseconds = Int(interval.seconds * 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        timer.setEventHandler {
            // A failed renewal (the database briefly away) is retried at the next beat; the
            // lease is only lost when the database says another instance holds the run.
            guard let (held, cancel) = try? renew() else { return }
            if !held { control.loseLease() }
            if cancel { control.requestCancel() }
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
    }
}
