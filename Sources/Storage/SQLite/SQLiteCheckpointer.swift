import CSQLite
import Core
import Dispatch
import Synchronization

/// Copies the WAL back into the database file on a connection and a thread of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past its threshold,
/// on the committing thread, and syncs the file to disk before that commit returns: a sync's
/// batch or an audited request would wait for it. Instead the writer reports the WAL's size after
/// each commit (``walCommitted(pages:)``), and once it reaches ``threshold`` pages a passive
/// checkpoint runs here. A passive checkpoint takes no lock the writer or the readers wait for; it
/// copies what no reader still needs.
///
/// The writer starts the WAL over only when a transaction begins after everything in it was
/// copied. Under steady commits the next one always begins first, while the checkpoint is still
/// copying, and the WAL would grow for as long as the commits go on. So once it reaches ``limit``
/// pages the writer waits, after its commit, for a checkpoint of all it wrote: its next
/// transaction then writes the WAL from the start again.
///
/// A checkpoint that finds the file busy is tried again after a later commit. Should one fail
/// otherwise, the WAL would grow without end: the writer then goes back to checkpointing in its
/// commits, as SQLite does by default.
final class SQLiteCheckpointer: Sendable {
    /// The WAL size, in pages, that starts a checkpoint: SQLite's own default.
    static let defaultThreshold: Int32 = 1000
    /// The WAL size, in pages, past which the writer waits for a checkpoint: 64 MiB of 4 KiB pages.
    static let defaultLimit: Int32 = 16_000

    let threshold: Int32
    let limit: Int32
    private let path: String
    private let busyTimeout: Duration
    private let logger: Logger
    private let queue = DispatchQueue(label: "syncline.sqlite-checkpointer", qos: .utility)
    /// Opened on the first checkpoint and used only on `queue`.
    private let connection = Mutex<SQLiteConnection?>(nil)
    private let scheduled = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    private let failed = Atomic<Bool>(false)

    init(
        path: String, busyTimeout: Duration, logger: Logger, threshold: Int32 = defaultThreshold,
        limit: Int32 = defaultLimit
    ) {
        precondition(limit >= threshold, "the WAL's limit is below its checkpoint threshold")
        self.path = path
        self.busyTimeout = busyTimeout
        self.logger = logger
        self.threshold = threshold
        self.limit = limit
    }

    /// Called by the writer after each commit with the pages now in the WAL.
    ///
    /// Schedules one checkpoint when there are enough pages and none is waiting to run, and past
    /// ``limit`` runs one and waits for it. Returns true when the writer must checkpoint itself,
    /// since checkpoints here have failed.
    func walCommitted(pages: Int32) -> Bool {
        guard pages >= threshold, !closed.load(ordering: .relaxed) else { return false }
        guard !failed.load(ordering: .relaxed) else { return true }
        if pages >= limit {
            queue.sync { checkpoint() }
            return failed.load(ordering: .relaxed)
        }
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        queue.async { [self] in
            scheduled.store(false, ordering: .releasing)
            checkpoint()
        }
        return false
    }

    /// Waits for a checkpoint under way and closes the connection.
    ///
    /// Closed after the writer, it is the database's last connection, and SQLite copies the rest
    /// of the WAL as it closes.
    func close() {
        closed.store(true, ordering: .relaxed)
        queue.sync {}
        connection.withLock { $0 = nil }
    }

    private func checkpoint() {
        guard !closed.load(ordering: .relaxed) else { return }
        connection.withLock { connection in
            do throws(DatabaseError) {
                if connection == nil {
                    let opened = try SQLiteConnection(path: path, readOnly: false, busyTimeout: busyTimeout)
                    // A connection learns the file is in WAL mode when it first reads it; until
                    // then a checkpoint on it does nothing.
                    guard try opened.queryOne("PRAGMA journal_mode")?.string(0) == "wal" else {
                        throw DatabaseError(.connection, message: "the checkpoint connection did not find WAL mode")
                    }
                    connection = opened
                }
                guard let handle = connection?.handle else { return }
                var walPages: Int32 = 0
                var copiedPages: Int32 = 0
                let status = sqlite3_wal_checkpoint_v2(
                    handle, nil, SQLITE_CHECKPOINT_PASSIVE, &walPages, &copiedPages)
                guard status != SQLITE_OK || walPages < 0 else { return }
                throw SQLiteConnection.error(status, database: handle, sql: nil)
            } catch  where error.isTransient {
                // Another connection holds the file for a moment (its own checkpoint, a recovery,
                // an exclusive lock): the next commit past the threshold tries again.
                logger.debug("WAL checkpoint postponed", ["code": error.code ?? "", "error": error.message])
            } catch {
                fail(["code": error.code ?? "", "error": error.message])
            }
        }
    }

    private func fail(_ metadata: [String: String]) {
        failed.store(true, ordering: .relaxed)
        logger.warning("WAL checkpoint failed; the writer checkpoints in its commits from now on", metadata)
    }
}

/// The writer's WAL hook: hands the WAL's size after each commit to the checkpointer in `context`,
/// and checkpoints on the writer itself when the checkpointer asks it to, as SQLite's own hook does.
let checkpointerWALHook:
    @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) ->
        Int32 = { context, database, name, pages in
            guard let context,
                Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue().walCommitted(pages: pages)
            else { return SQLITE_OK }
            _ = sqlite3_wal_checkpoint_v2(database, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return SQLITE_OK
        }
