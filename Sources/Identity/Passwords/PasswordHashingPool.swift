import Core
import Foundation
import Synchronization

/// Why ``PasswordHashingPool`` gave no result.
public enum PasswordHashingPoolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue is full; the job was refused at once (the HTTP layer answers 503 with Retry-After).
    case busy
    /// The pool has been shut down and takes no more jobs.
    case shutDown
    /// The job ran and libargon2 failed.
    case hashing(PasswordHashingError)

    /// A short explanation for logs.
    public var description: String {
        switch self {
        case .busy: "password hashing queue is full"
        case .shutDown: "password hashing pool is shut down"
        case .hashing(let error): error.description
        }
    }
}

/// Runs password hashing on a few dedicated low-priority threads, so sign-ins cannot starve the
/// threads that serve requests.
///
/// Callers block until their job is done. Jobs wait in a bounded queue; when it is full,
/// ``submit(_:)`` throws ``PasswordHashingPoolError/busy`` at once instead of letting waits grow.
/// ``shutDown()`` finishes the queued jobs and stops the threads; the pool holds its threads until
/// then.
///
/// `@unchecked Sendable`: `pending`, `isShuttingDown` and `runningThreads` are read and written
/// only while `condition` is locked; the other stored properties are immutable.
public final class PasswordHashingPool: @unchecked Sendable {
    /// How many threads hash and how many jobs may wait for them.
    public struct Configuration: Sendable, Hashable {
        /// Dedicated hashing threads; at least one.
        public var threadCount: Int
        /// Jobs that may wait while all threads are busy; at least one.
        public var queueCapacity: Int

        /// One thread per two cores, at least one.
        public static var defaultThreadCount: Int {
            max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        }

        /// Creates a configuration; the defaults are one thread per two cores and 32 waiting jobs.
        public init(threadCount: Int = Configuration.defaultThreadCount, queueCapacity: Int = 32) {
            self.threadCount = threadCount
            self.queueCapacity = queueCapacity
        }
    }

    /// The hasher every job is given.
    public let hasher: PasswordHasher
    /// The sizes the pool was made with.
    public let configuration: Configuration

    private let metrics: PoolMetrics?
    private let condition = NSCondition()
    private var pending: [@Sendable () -> Void] = []
    private var isShuttingDown = false
    private var runningThreads = 0

    /// Starts `configuration.threadCount` hashing threads; with `metrics`, it registers the
    /// `syncline_password_hashing_*` families there.
    public init(hasher: PasswordHasher, configuration: Configuration = Configuration(), metrics: MetricsRegistry? = nil)
    {
        precondition(configuration.threadCount >= 1, "a hashing pool needs a thread")
        precondition(configuration.queueCapacity >= 1, "a hashing pool needs room for a job")
        self.hasher = hasher
        self.configuration = configuration
        self.metrics = metrics.map(PoolMetrics.init(registry:))
        runningThreads = configuration.threadCount
        for _ in 0..<configuration.threadCount {
            Thread.detachNewThread { [self] in runWorker() }
        }
    }

    /// The number of jobs waiting for a thread, not counting those running.
    public var queueDepth: Int {
        condition.withLock { pending.count }
    }

    /// Runs `job` with the pool's hasher on a hashing thread and returns its result, blocking
    /// the caller until then.
    public func submit<Value: Sendable>(
        _ job: @escaping @Sendable (PasswordHasher) -> Value
    ) throws(PasswordHashingPoolError) -> Value {
        let outcome = Outcome<Value>()
        let hasher = self.hasher

        condition.lock()
        if isShuttingDown {
            condition.unlock()
            throw .shutDown
        }
        guard pending.count < configuration.queueCapacity else {
            condition.unlock()
            metrics?.rejections.increment()
            throw .busy
        }
        pending.append { outcome.finish(job(hasher)) }
        metrics?.queueDepth.set(Double(pending.count))
        condition.signal()
        condition.unlock()

        return outcome.wait()
    }

    /// Hashes `password` on a hashing thread; see ``PasswordHasher/hash(password:)``.
    public func hash(password: String) throws(PasswordHashingPoolError) -> String {
        let result = try submit { hasher in
            Result { () throws(PasswordHashingError) in try hasher.hash(password: password) }
        }
        switch result {
        case .success(let phc): return phc
        case .failure(let error): throw .hashing(error)
        }
    }

    /// Verifies `password` on a hashing thread; see ``PasswordHasher/verify(password:against:)``.
    public func verify(password: String, against phc: String) throws(PasswordHashingPoolError) -> Bool {
        try submit { hasher in hasher.verify(password: password, against: phc) }
    }

    /// Spends one verification's time on a hashing thread; see ``PasswordHasher/dummyVerify(password:)``.
    public func dummyVerify(password: String) throws(PasswordHashingPoolError) {
        try submit { hasher in hasher.dummyVerify(password: password) }
    }

    /// Refuses new jobs, lets the threads finish the queued ones and waits until they have exited.
    ///
    /// Calling it again does nothing more; it must not be called from inside a job.
    public func shutDown() {
        condition.lock()
        isShuttingDown = true
        condition.broadcast()
        while runningThreads > 0 {
            condition.wait()
        }
        condition.unlock()
    }

    private func runWorker() {
        lowerThreadPriority()
        condition.lock()
        while true {
            while pending.isEmpty && !isShuttingDown {
                condition.wait()
            }
            guard !pending.isEmpty else { break }
            let job = pending.removeFirst()
            metrics?.queueDepth.set(Double(pending.count))
            condition.unlock()

            job()
            metrics?.jobs.increment()
            condition.lock()
        }
        runningThreads -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Gives the calling thread a nice value of 10, so request threads win the CPU when both are
    /// runnable and a burst of sign-ins slows sign-ins rather than the whole API.
    private func lowerThreadPriority() {
        #if os(Linux)
            // Linux schedules each thread as its own task with its own nice value, and
            // setpriority(PRIO_PROCESS, 0) changes the calling task only: the thread, not the
            // process as POSIX would have it (setpriority(2), "BUGS"). Id 0 names the caller, the
            // same task gettid() would name, so each hashing thread lowers itself and request
            // threads keep the default. Raising a nice value needs no privilege; should it fail,
            // the thread hashes at normal priority, which costs only fairness.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}

/// The result slot of one job: written once by a hashing thread, read by the submitting thread.
private final class Outcome<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ result: Value) {
        value.withLock { $0 = result }
        done.signal()
    }

    func wait() -> Value {
        done.wait()
        return value.withLock { $0! }
    }
}

/// The pool's metric families.
private struct PoolMetrics: Sendable {
    let queueDepth: Gauge
    let jobs: Counter
    let rejections: Counter

    init(registry: MetricsRegistry) {
        queueDepth = registry.gauge(
            "syncline_password_hashing_queue_depth", help: "Password hashing jobs waiting for a thread.")
        jobs = registry.counter("syncline_password_hashing_jobs_total", help: "Password hashing jobs run.")
        rejections = registry.counter(
            "syncline_password_hashing_rejections_total",
            help: "Password hashing jobs refused because the queue was full.")
    }
}
