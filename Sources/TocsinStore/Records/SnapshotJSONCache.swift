import Foundation
import Synchronization
import TocsinCore

/// The stored JSON of the policy snapshots in use, so that a snapshot is encoded once per
/// configuration, not once per batch. Owned by its ``TocsinStore``; one entry per policy name, an
/// entry whose snapshot differs (the configuration was reloaded) replaced, and at most `capacity`
/// names (the oldest entry goes first), however many configurations a long-running server loads.
final class SnapshotJSONCache: Sendable {
    private struct Entries {
        var byPolicy: [String: (snapshot: PolicySnapshot, json: String)] = [:]
        /// Policy names, oldest entry first.
        var order: [String] = []
    }

    let capacity: Int
    private let entries = Mutex(Entries())

    init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// How many snapshots are kept.
    var count: Int { entries.withLock { $0.byPolicy.count } }

    func json(for snapshot: PolicySnapshot) throws -> String {
        let name = snapshot.policy.name
        if let hit = entries.withLock({ $0.byPolicy[name] }), hit.snapshot == snapshot {
            return hit.json
        }
        let json = try Escalation.snapshotJSON(snapshot)
        entries.withLock { entries in
            if entries.byPolicy.updateValue((snapshot, json), forKey: name) == nil {
                entries.order.append(name)
            }
            while entries.order.count > capacity {
                entries.byPolicy[entries.order.removeFirst()] = nil
            }
        }
        return json
    }
}
