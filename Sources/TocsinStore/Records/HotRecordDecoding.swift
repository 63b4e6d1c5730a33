import Foundation
import GRDB
import TocsinCore

// The records every page reads when it is rendered (its incident's alerts and escalations, read in
// the delivery turn that claims it), decoded column by column instead of through Codable, whose
// row decoder and `JSONDecoder` for the JSON columns cost most of a delivery turn. Each distinct
// policy snapshot text is decoded once. `RecordEncodingTests` checks that each reads back equal.

extension IncidentAlert {
    public init(row: Row) throws {
        func malformed(_ column: String) -> StoreError { StoreError.malformed(column, of: "alert", in: row) }
        guard let incidentID = row["incident_id"] as Int64? else { throw malformed("incident_id") }
        guard let fingerprint = row["fingerprint"] as Fingerprint? else { throw malformed("fingerprint") }
        guard let status = (row["status"] as String?).flatMap(AlertStatus.init(rawValue:)) else { throw malformed("status") }
        guard let labels = (row["labels"] as String?).flatMap(StringMapJSON.decode) else { throw malformed("labels") }
        guard let annotations = (row["annotations"] as String?).flatMap(StringMapJSON.decode) else { throw malformed("annotations") }
        guard let startsAt = StoredDate.parse(row["starts_at"]) else { throw malformed("starts_at") }
        guard let firstSeenAt = StoredDate.parse(row["first_seen_at"]) else { throw malformed("first_seen_at") }
        guard let lastSeenAt = StoredDate.parse(row["last_seen_at"]) else { throw malformed("last_seen_at") }
        let alert = Alert(
            fingerprint: fingerprint, status: status, labels: labels, annotations: annotations, startsAt: startsAt,
            endsAt: StoredDate.parse(row["ends_at"]), generatorURL: row["generator_url"] ?? "")
        self.init(id: row["id"], incidentID: incidentID, alert: alert, firstSeenAt: firstSeenAt, lastSeenAt: lastSeenAt)
    }
}

extension Escalation {
    public init(row: Row) throws {
        func malformed(_ column: String) -> StoreError { StoreError.malformed(column, of: "escalation", in: row) }
        guard let snapshotJSON = row["snapshot"] as String? else { throw malformed("snapshot") }
        guard let incidentID = row["incident_id"] as Int64? else { throw malformed("incident_id") }
        guard let policyName = row["policy_name"] as String? else { throw malformed("policy_name") }
        guard let epoch = row["epoch"] as Int?, let position = row["position"] as Int? else { throw malformed("position") }
        guard let startedAt = StoredDate.parse(row["started_at"]) else { throw malformed("started_at") }
        self.init(
            id: row["id"], incidentID: incidentID, snapshot: try Self.decodedSnapshots.snapshot(fromJSON: snapshotJSON),
            epoch: epoch, startedAt: startedAt, position: position, nextDueAt: StoredDate.parse(row["next_due_at"]),
            startedBy: row["started_by"], createdAt: StoredDate.parse(row["created_at"]))
        self.policyName = policyName  // as stored
    }

    /// The snapshots read in this process, by their stored text.
    static let decodedSnapshots = DecodedSnapshotCache()
}

/// Policy snapshots decoded from their stored JSON, by that text: thousands of escalations share a
/// few policies, so each text is decoded once (at most `capacity` texts are kept).
final class DecodedSnapshotCache: Sendable {
    private let byJSON: BoundedCache<String, PolicySnapshot>

    init(capacity: Int = 256) {
        byJSON = BoundedCache(capacity: capacity)
    }

    /// How many snapshots are kept.
    var count: Int { byJSON.count }

    func snapshot(fromJSON json: String) throws -> PolicySnapshot {
        if let hit = byJSON.value(forKey: json) {
            return hit
        }
        let snapshot = try Escalation.databaseJSONDecoder(for: "snapshot").decode(PolicySnapshot.self, from: Data(json.utf8))
        byJSON.set(snapshot, forKey: json)
        return snapshot
    }
}

extension StoreError {
    /// A stored row a record cannot be read from: names the record, its id, the column and what it holds.
    static func malformed(_ column: String, of record: String, in row: Row) -> StoreError {
        malformed(column, of: record, id: row["id"] as Int64? ?? 0, holding: "\(row[column] as DatabaseValue)")
    }

    /// A stored value a record cannot be read from: names the record, its id, the column and what it holds.
    static func malformed(_ column: String, of record: String, id: Int64, holding value: String) -> StoreError {
        .database("\(record) \(id): malformed \(column): \(value)")
    }
}
