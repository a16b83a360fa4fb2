import Audit
import Core
import Dispatch
import Foundation
import Identity
import Synchronization

/// Housekeeping that runs at start and then daily: pruning audit entries past their retention,
/// and denylisted tokens past their expiry.
final class Maintenance: Sendable {
    /// Dispatch sources are not `Sendable`; the lock makes stopping safe from any thread.
    private let timer: Mutex<any DispatchSourceTimer>

    /// Starts the schedule; `auditRetentionDays` of 0 keeps audit entries forever.
    init(audit: AuditLog, revocations: RevocationStore, auditRetentionDays: Int, logger: Logger) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "syncline.maintenance"))
        timer.schedule(deadline: .now(), repeating: .seconds(24 * 60 * 60), leeway: .seconds(60))
        timer.setEventHandler {
            do {
                try revocations.prune()
                if auditRetentionDays > 0 {
                    try audit.prune(olderThan: Date().addingTimeInterval(-Double(auditRetentionDays) * 86_400))
                }
            } catch {
                logger.error("maintenance failed", ["error": String(describing: error)])
            }
        }
        timer.resume()
        self.timer = Mutex(timer)
    }

    /// Stops the schedule; a run in progress finishes.
    func stop() {
        timer.withLock { $0.cancel() }
    }
}
