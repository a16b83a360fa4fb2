import Synchronization

/// Reads the secrets sources name from the environment, and redacts them from any text.
///
/// Only variables starting `SYNCLINE_SOURCE_` can be read, so a source definition can never
/// reach the session secret or the audit key. Every value read is remembered, so
/// ``redact(_:)`` can scrub it from error messages before they are stored, logged or shown.
public final class SecretResolver: Sendable {
    private let environment: [String: String]
    private let handedOut = Mutex<Set<String>>([])

    /// Creates a resolver over a snapshot of the process environment.
    public init(environment: [String: String]) {
        self.environment = environment.filter { $0.key.hasPrefix(SourceDefinition.secretVariablePrefix) }
    }

    /// The value of `variable`; throws when it is not a source variable or is not set.
    public func value(of variable: String) throws(SyncError) -> String {
        guard variable.hasPrefix(SourceDefinition.secretVariablePrefix) else {
            throw SyncError(
                .configuration, "Only variables starting \(SourceDefinition.secretVariablePrefix) can be read.")
        }
        guard let value = environment[variable], !value.isEmpty else {
            throw SyncError(.configuration, "The environment variable \(variable) is not set.")
        }
        handedOut.withLock { _ = $0.insert(value) }
        return value
    }

    /// `text` with every secret value read so far replaced by `***`.
    public func redact(_ text: String) -> String {
        let secrets = handedOut.withLock { $0 }
        var redacted = text
        // Longer values first, so a secret that contains another is replaced whole.
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 4 {
            redacted = redacted.replacingOccurrences(of: secret, with: "***")
        }
        return redacted
    }
}
