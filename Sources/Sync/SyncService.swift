import Audit
import Core
import Foundation
import Storage

/// How the sync service runs: its workers, leases and timers.
public struct SyncServiceConfiguration: Sendable {
    /// Worker threads, so at most this many syncs run at once in this instance.
    public var workers: Int
    /// How long a claimed run stays this instance's without a heartbeat.
    public var lease: Duration
    /// How often idle workers look for runs queued by other instances or left by dead ones.
    public var pollInterval: Duration
    /// How often the scheduler looks for sources that are due.
    public var schedulerInterval: Duration
    /// This instance's name in leases; unique per process.
    public var instanceID: String

    /// Creates a configuration; the instance id defaults to host name, process id and a random part.
    public init(
        workers: Int = 2, lease: Duration = .seconds(30), pollInterval: Duration = .seconds(2),
        schedulerInterval: Duration = .seconds(5), instanceID: String? = nil
    ) {
        self.workers = workers
        self.lease = lease
        self.pollInterval = pollInterval
        self.schedulerInterval = schedulerInterval
        self.instanceID =
            instanceID
            ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/"
            + String(UUID().uuidString.prefix(8)).lowercased()
    }
}

/// A field found by discovery, with the column type its sampled values suggest.
public struct DiscoveredField: Sendable, Hashable, Encodable {
    /// The field's name.
    public var field: String
    /// The type inferred from the sample; nil when every sampled value was null.
    public var type: ColumnType?
    /// How many sampled records had a non-null value.
    public var present: Int
}

/// What became of a manual sync request.
public enum ManualSyncRequest: Sendable {
    /// The run was queued.
    case queued(SyncRun)
    /// Too many manual runs of the source or by the user; another may start after this many seconds.
    case throttled(retryAfter: Int)
}

/// Sources, the run queue, the workers and the scheduler, behind one interface for the API and
/// the command line.
public final class SyncService: Sendable {
    /// The sources.
    public let sources: SourceStore
    /// The run queue.
    public let queue: SyncQueue
    /// The records of the sources, read with sort indexes built as sorts ask for them.
    public let records: RecordReader
    private let indexer: RecordIndexer
    private let engine: SyncEngine
    private let workers: SyncWorkers
    private let scheduler: SyncScheduler
    private let environment: SyncEnvironment
    private let manualSyncThrottle: ManualSyncThrottle
    private let audit: any AuditRecorder
    private let logger: Logger

    /// Creates the service; nothing runs until ``start()``.
    ///
    /// `manualSyncThrottle` limits the runs that admins start by hand through
    /// ``requestManualSync(of:by:ip:userAgent:)``.
    public init(
        database: any Database, environment: SyncEnvironment, configuration: SyncServiceConfiguration,
        manualSyncThrottle: ManualSyncThrottle = ManualSyncThrottle(), audit: any AuditRecorder,
        metrics: MetricsRegistry?, logger: Logger
    ) {
        sources = SourceStore(database: database)
        queue = SyncQueue(database: database)
        indexer = RecordIndexer(database: database, logger: logger)
        records = RecordReader(database: database, indexer: indexer)
        self.environment = environment
        self.manualSyncThrottle = manualSyncThrottle
        self.audit = audit
        self.logger = logger
        engine = SyncEngine(
            database: database, environment: environment, audit: audit, metrics: metrics, logger: logger,
            owner: configuration.instanceID, lease: configuration.lease)
        let workers = SyncWorkers(
            engine: engine, count: configuration.workers, pollInterval: configuration.pollInterval, logger: logger)
        self.workers = workers
        scheduler = SyncScheduler(
            database: database, interval: configuration.schedulerInterval, logger: logger, queued: { workers.wake() })
        if let metrics {
            let queue = self.queue
            metrics.gauge("syncline_sync_queue_depth", help: "Sync runs waiting for a worker.") {
                Double((try? queue.depth()) ?? 0)
            }
        }
    }

    /// Starts the workers and the scheduler.
    public func start() {
        workers.start()
        scheduler.start()
    }

    /// Stops scheduling, lets running syncs reach a checkpoint and hands them back to the queue.
    public func stop() {
        scheduler.stop()
        workers.stop()
        indexer.stop()
    }

    /// Queues a manual run of `sourceID` and wakes a worker.
    public func requestSync(sourceID: Int64, requestedBy: String) throws -> SyncRun {
        let run = try queue.enqueue(sourceID: sourceID, trigger: .manual, requestedBy: requestedBy)
        workers.wake()
        return run
    }

    /// Queues a run of `source` that `user` asked for by hand, unless the manual-sync throttle
    /// refuses it; either way the request is audited as `sync.request`, from `ip` and `userAgent`.
    ///
    /// Throws ``SyncError`` of kind `.conflict` when a run of the source is queued or running.
    public func requestManualSync(of source: Source, by user: String, ip: String, userAgent: String) throws
        -> ManualSyncRequest
    {
        func record(_ outcome: AuditOutcome, _ details: [String: String]) {
            audit.record(
                AuditEvent(
                    actor: user, action: "sync.request", target: "source:\(source.name)", outcome: outcome, ip: ip,
                    userAgent: userAgent, details: details))
        }
        if let seconds = manualSyncThrottle.retryAfter(sourceID: source.id, user: user) {
            record(.denied, ["reason": "throttled"])
            return .throttled(retryAfter: seconds)
        }
        let run = try requestSync(sourceID: source.id, requestedBy: user)
        record(.success, ["runId": String(run.id)])
        return .queued(run)
    }

    /// Executes run `runID` here unless a worker has taken it; returns whether this call ran it.
    ///
    /// The command line uses this to sync without a server.
    public func executeHere(runID: Int64) throws -> Bool {
        guard let run = try queue.claim(runID: runID, owner: engine.owner, lease: engine.lease) else { return false }
        engine.execute(run, shutdown: RunControl())
        return true
    }

    /// The directory CSV and SQLite sources read from.
    public var importDirectory: ImportDirectory { environment.importDirectory }

    /// Reaches the source `definition` describes, with its credentials, and returns what answered.
    public func checkConnection(_ definition: SourceDefinition) throws(SyncError) -> String {
        let context = environment.context(logger: logger.labeled("connector"), cursorField: nil)
        let connector = environment.makeConnector(definition.connection)
        do {
            return try connector.checkConnection(context: context)
        } catch {
            throw SyncError(error.kind, context.secrets.redact(error.message))
        }
    }

    /// Reads up to `sampleSize` records of `source` and proposes a column type per field.
    public func discover(_ source: Source, sampleSize: Int = 200) throws(SyncError) -> [DiscoveredField] {
        var context = environment.context(logger: logger.labeled("connector"), cursorField: nil)
        context.batchSize = min(context.batchSize, sampleSize)
        let connector = environment.makeConnector(source.definition.connection)
        var fields: [String] = []
        var types: [String: ColumnType] = [:]
        var present: [String: Int] = [:]
        var sampled = 0
        do {
            try connector.read(from: SyncCheckpoint(), context: context) { (batch, _) throws(SyncError) in
                for (position, name) in batch.fieldNames.enumerated() {
                    if present[name] == nil {
                        fields.append(name)
                        present[name] = 0
                    }
                    for record in 0..<min(batch.count, sampleSize - sampled) {
                        guard let type = ColumnType.inferred(from: batch.value(record: record, field: position))
                        else { continue }
                        types[name] = types[name].map { $0.widened(with: type) } ?? type
                        present[name, default: 0] += 1
                    }
                }
                sampled += batch.count
                if sampled >= sampleSize { throw SyncError(.cancelled, "The sample is complete.") }
            }
        } catch  where error.kind == .cancelled && sampled >= sampleSize {
            // Discovery stops the read itself once it has its sample.
        } catch {
            throw SyncError(error.kind, context.secrets.redact(error.message))
        }
        return fields.map { DiscoveredField(field: $0, type: types[$0], present: present[$0] ?? 0) }
    }
}
