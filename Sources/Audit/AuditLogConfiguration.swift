/// How the audit log buffers and writes events.
public struct AuditLogConfiguration: Sendable, Hashable {
    /// The most events held in memory, queued or being written; `record` waits beyond this.
    public var capacity: Int
    /// The most events written in one transaction.
    public var batchSize: Int
    /// How long the writer waits for a batch to fill before writing what it has.
    public var flushInterval: Duration
    /// The pause after the first failed write; it doubles after each further failure.
    public var retryDelay: Duration
    /// The longest pause between retries.
    public var maximumRetryDelay: Duration
    /// How many attempts a batch gets once ``AuditLog/close()`` has been called, before its
    /// events are reported as lost at error level; while running, a batch is retried forever.
    public var attemptsAtShutdown: Int

    /// Creates a configuration; the defaults suit one server.
    public init(
        capacity: Int = 8192, batchSize: Int = 1000, flushInterval: Duration = .milliseconds(50),
        retryDelay: Duration = .milliseconds(100), maximumRetryDelay: Duration = .seconds(5),
        attemptsAtShutdown: Int = 5
    ) {
        precondition(capacity > 0 && batchSize > 0 && attemptsAtShutdown > 0, "audit log sizes must be positive")
        self.capacity = capacity
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.retryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.attemptsAtShutdown = attemptsAtShutdown
    }
}
