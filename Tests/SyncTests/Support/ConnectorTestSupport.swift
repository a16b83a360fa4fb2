import Core
import Foundation
import Sync
import Synchronization
import Testing

/// A fresh temporary import directory, removed when the value is released.
final class TemporaryImportDirectory {
    /// The directory's path, symbolic links resolved.
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("syncline-import-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.resolvingSymlinksInPath().path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` inside the directory and returns its absolute path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Writes `text` as UTF-8 to `name` and returns its absolute path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// A connector context over this directory with `environment` as the process environment.
    func context(
        batchSize: Int = 1000, cursorField: String? = nil, environment: [String: String] = [:],
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) -> ConnectorContext {
        ConnectorContext(
            secrets: SecretResolver(environment: environment), importDirectory: ImportDirectory(path: path),
            egress: .unrestricted, logger: Logger(label: "sync-tests", level: .debug, sink: MemoryLogSink()),
            batchSize: batchSize, cursorField: cursorField, isCancelled: isCancelled)
    }
}

/// One delivery a connector made: the batch and the checkpoint after it.
struct Delivery {
    let batch: RecordBatch
    let checkpoint: SyncCheckpoint

    /// The batch's records, each as its list of values.
    var records: [[RecordValue]] {
        (0..<batch.count).map { batch.values(ofRecord: $0) }
    }
}

/// Reads everything `connector` delivers from `checkpoint`.
func deliveries(
    of connector: some Connector, from checkpoint: SyncCheckpoint = SyncCheckpoint(), context: ConnectorContext
) throws(SyncError) -> [Delivery] {
    var deliveries: [Delivery] = []
    try connector.read(from: checkpoint, context: context) { batch, checkpoint in
        deliveries.append(Delivery(batch: batch, checkpoint: checkpoint))
    }
    return deliveries
}

/// The sync error `body` throws, or a recorded issue and nil when it returns or throws another.
func syncError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> SyncError? {
    do {
        _ = try body()
        Issue.record("expected a SyncError", sourceLocation: sourceLocation)
    } catch let error as SyncError {
        return error
    } catch {
        Issue.record("expected a SyncError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A flag one closure sets and another reads, from any thread.
final class Flag: Sendable {
    private let state = Mutex(false)

    /// Whether the flag has been set.
    var isSet: Bool { state.withLock { $0 } }

    /// Sets the flag.
    func set() {
        state.withLock { $0 = true }
    }
}
