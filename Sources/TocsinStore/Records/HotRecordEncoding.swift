import Foundation
import GRDB
import TocsinCore

// The records written on every ingest and every escalation step, encoded column by column
// instead of through Codable (GRDB's `encode(to:)` hook): the same columns and the same text
// (dates as `StoredDate`, JSON as `LabelJSON` and GRDB's own JSON encoder), at a fraction of the
// cost. Incidents, read on every ingest, are also decoded column by column (`init(row:)`); the
// others read through Codable. `RecordEncodingTests` checks that each one reads back equal.

extension Incident {
    public init(row: Row) throws {
        func malformed(_ column: String) -> StoreError {
            StoreError.database("incident \(row["id"] as Int64? ?? 0): malformed \(column): \(row[column] as DatabaseValue)")
        }
        guard let state = IncidentState(rawValue: row["state"]) else { throw malformed("state") }
        guard let createdAt = StoredDate.parse(row["created_at"]) else { throw malformed("created_at") }
        guard let lastSeenAt = StoredDate.parse(row["last_seen_at"]) else { throw malformed("last_seen_at") }
        guard let groupLabels = StringMapJSON.decode(row["group_labels"]) else { throw malformed("group_labels") }
        self.init(
            id: row["id"], title: row["title"], severity: row["severity"], state: state, source: row["source"],
            receiver: row["receiver"], groupKey: row["group_key"], groupLabels: groupLabels, externalURL: row["external_url"],
            createdAt: createdAt, lastSeenAt: lastSeenAt, acknowledgedAt: StoredDate.parse(row["acknowledged_at"]),
            acknowledgedBy: row["acknowledged_by"], resolvedAt: StoredDate.parse(row["resolved_at"]),
            resolvedBy: row["resolved_by"], alertCount: row["alert_count"], firingCount: row["firing_count"],
            truncatedAlerts: row["truncated_alerts"], drillRun: row["drill_run"])
        correlationID = row["correlation_id"]
    }

    /// Every stored column with its value: the one list that inserts (`encode(to:)`) and updates
    /// (`updateAllColumns`) both write.
    var storedColumns: [(name: String, value: (any DatabaseValueConvertible)?)] {
        [
            ("id", id), ("title", title), ("severity", severity), ("state", state), ("source", source),
            ("receiver", receiver), ("group_key", groupKey), ("group_labels", LabelJSON.encode(groupLabels)),
            ("external_url", externalURL), ("created_at", StoredDate.text(createdAt)),
            ("last_seen_at", StoredDate.text(lastSeenAt)), ("acknowledged_at", acknowledgedAt.map(StoredDate.text)),
            ("acknowledged_by", acknowledgedBy), ("resolved_at", resolvedAt.map(StoredDate.text)), ("resolved_by", resolvedBy),
            ("alert_count", alertCount), ("firing_count", firingCount), ("truncated_alerts", truncatedAlerts),
            ("drill_run", drillRun), ("correlation_id", correlationID),
        ]
    }

    /// Writes every column of a stored incident with one cached statement (GRDB's `update` builds
    /// its statement anew on every call, a cost the ingest writer pays per batch).
    func updateAllColumns(_ db: Database) throws {
        guard let id else { throw StoreError.database("cannot update an incident that was never stored") }
        let columns = storedColumns.filter { $0.name != "id" }
        try db.cachedStatement(
            sql: "UPDATE incidents SET " + columns.map { "\($0.name) = ?" }.joined(separator: ", ") + " WHERE id = ?"
        ).execute(arguments: StatementArguments(columns.map(\.value) + [id]))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        for (name, value) in storedColumns {
            container[name] = value
        }
    }
}

extension TimelineEvent {
    /// Every stored column with its value (`prepared`: the event of a step prepared ahead of its
    /// due time): the one list that `encode(to:)` and the batched insert of escalation steps write.
    func storedColumns(prepared: Bool = false) -> [(name: String, value: (any DatabaseValueConvertible)?)] {
        [
            ("id", id), ("incident_id", incidentID), ("at", StoredDate.text(at)), ("kind", kind), ("actor", actor),
            ("channel", channel), ("note", note), ("lateness_ms", latenessMs), ("prepared", prepared),
        ]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        for (name, value) in storedColumns() {
            container[name] = value
        }
    }
}

extension Escalation {
    /// The snapshot as the `snapshot` column stores it.
    static func snapshotJSON(_ snapshot: PolicySnapshot) throws -> String {
        String(decoding: try databaseJSONEncoder(for: "snapshot").encode(snapshot), as: UTF8.self)
    }

    /// Every stored column with its value, the snapshot as `snapshotJSON`: the one list that
    /// `encode(to:)` and ``insert(_:snapshotJSON:)`` both write.
    func storedColumns(snapshotJSON: String) -> [(name: String, value: (any DatabaseValueConvertible)?)] {
        [
            ("id", id), ("incident_id", incidentID), ("policy_name", policyName), ("snapshot", snapshotJSON),
            ("epoch", epoch), ("started_at", StoredDate.text(startedAt)), ("position", position),
            ("next_due_at", nextDueAt.map(StoredDate.text)), ("started_by", startedBy),
            ("created_at", createdAt.map(StoredDate.text)),
        ]
    }

    /// Inserts the escalation with its snapshot already encoded (shared by the incidents a policy
    /// opens), through one cached statement.
    mutating func insert(_ db: Database, snapshotJSON: String) throws {
        let columns = storedColumns(snapshotJSON: snapshotJSON).filter { $0.name != "id" }
        try db.cachedStatement(
            sql: "INSERT INTO escalations (" + columns.map(\.name).joined(separator: ", ") + ") VALUES ("
                + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        ).execute(arguments: StatementArguments(columns.map(\.value)))
        id = db.lastInsertedRowID
    }

    public func encode(to container: inout PersistenceContainer) throws {
        for (name, value) in storedColumns(snapshotJSON: try Self.snapshotJSON(snapshot)) {
            container[name] = value
        }
    }
}
