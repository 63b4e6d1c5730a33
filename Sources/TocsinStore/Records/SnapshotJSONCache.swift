import TocsinCore

/// The stored JSON of the policy snapshots in use, so that a snapshot is encoded once per
/// configuration, not once per batch. Owned by its ``TocsinStore``; one entry per policy name, an
/// entry whose snapshot differs (the configuration was reloaded) replaced, and at most `capacity`
/// names (the oldest entry goes first).
final class SnapshotJSONCache: Sendable {
    private let byPolicy: BoundedCache<String, (snapshot: PolicySnapshot, json: String)>

    init(capacity: Int = 256) {
        byPolicy = BoundedCache(capacity: capacity)
    }

    /// How many snapshots are kept.
    var count: Int { byPolicy.count }

    func json(for snapshot: PolicySnapshot) throws -> String {
        let name = snapshot.policy.name
        if let hit = byPolicy.value(forKey: name), hit.snapshot == snapshot {
            return hit.json
        }
        let json = try Escalation.snapshotJSON(snapshot)
        byPolicy.set((snapshot, json), forKey: name)
        return json
    }
}
