import Foundation
import Synchronization

/// Widget results kept in memory, each valid while its source's data version stays the same.
///
/// An entry is found by the widget's definition and, for results that depend on the present,
/// the start of the current bucket; it answers only when the version it was computed at is the
/// source's version now. Since versions live in the database and grow with every sync that
/// commits records, every instance sharing the database drops an entry at the same moment.
/// At most `capacity` entries are kept; the one used least recently makes room for a new one.
final class WidgetResultCache: Sendable {
    /// What a result depends on besides its source's records.
    struct Key: Hashable {
        /// The widget's definition; its id and title are kept, so each widget has its own entry.
        var widget: Widget
        /// The start of the current bucket for results counted back from the present.
        var anchor: Date?
    }

    /// A result with its JSON, written once when it was computed.
    struct Rendered: Sendable {
        var result: WidgetResult
        var json: [UInt8]
    }

    private struct Entry {
        var version: Int64
        var rendered: Rendered
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
    }

    /// The most entries kept.
    let capacity: Int
    private let state = Mutex(State())

    /// Creates an empty cache of at most `capacity` entries.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The result stored under `key`, if it was computed at `version`.
    func result(for key: Key, version: Int64) -> Rendered? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.version == version else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.rendered
        }
    }

    /// Stores `rendered`, computed at `version`, under `key`, replacing any older one; when full,
    /// the entry used least recently goes.
    ///
    /// Finding that entry walks every entry, which costs far less than the query that produced
    /// the result and happens only on a miss.
    func store(_ rendered: Rendered, for key: Key, version: Int64) {
        state.withLock { state in
            if let current = state.entries[key], current.version > version { return }
            state.clock += 1
            if state.entries[key] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries[oldest] = nil
            }
            state.entries[key] = Entry(version: version, rendered: rendered, lastUse: state.clock)
        }
    }

    /// How many entries are kept.
    var count: Int {
        state.withLock { $0.entries.count }
    }
}
