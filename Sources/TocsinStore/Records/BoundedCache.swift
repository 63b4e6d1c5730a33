import Synchronization

/// A map of at most `capacity` entries, the oldest entry dropped first, safe to share between
/// threads: the store's caches of decoded and encoded policy snapshots, which must stay small
/// however many configurations a long-running server loads, and the server's pages of incidents.
package final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entries {
        var values: [Key: Value] = [:]
        /// Keys, oldest entry first.
        var order: [Key] = []
    }

    package let capacity: Int
    private let entries = Mutex(Entries())

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many entries are kept.
    package var count: Int { entries.withLock { $0.values.count } }

    package func value(forKey key: Key) -> Value? {
        entries.withLock { $0.values[key] }
    }

    /// Keeps `value` under `key` (replacing what was there), dropping the oldest entries beyond `capacity`.
    package func set(_ value: Value, forKey key: Key) {
        entries.withLock { entries in
            if entries.values.updateValue(value, forKey: key) == nil {
                entries.order.append(key)
            }
            while entries.order.count > capacity {
                entries.values[entries.order.removeFirst()] = nil
            }
        }
    }
}
