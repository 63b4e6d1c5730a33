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
        guard let state = IncidentState(rawValue: row["state"]), let createdAt = StoredDate.parse(row["created_at"]),
            let lastSeenAt = StoredDate.parse(row["last_seen_at"]),
            let groupLabels = StringMapJSON.decode(row["group_labels"])
        else { throw StoreError.database("malformed incident row \(row["id"] as Int64? ?? 0)") }
        self.init(
            id: row["id"], title: row["title"], severity: row["severity"], state: state, source: row["source"],
            receiver: row["receiver"], groupKey: row["group_key"], groupLabels: groupLabels, externalURL: row["external_url"],
            createdAt: createdAt, lastSeenAt: lastSeenAt, acknowledgedAt: StoredDate.parse(row["acknowledged_at"]),
            acknowledgedBy: row["acknowledged_by"], resolvedAt: StoredDate.parse(row["resolved_at"]),
            resolvedBy: row["resolved_by"], alertCount: row["alert_count"], firingCount: row["firing_count"],
            truncatedAlerts: row["truncated_alerts"], drillRun: row["drill_run"])
        correlationID = row["correlation_id"]
    }

    /// Writes every column of a stored incident with one cached statement.
    func updateAllColumns(_ db: Database) throws {
        guard let id else { throw StoreError.database("cannot update an incident that was never stored") }
        try db.cachedStatement(
            sql: """
                UPDATE incidents SET title = ?, severity = ?, state = ?, source = ?, receiver = ?, group_key = ?,
                    group_labels = ?, external_url = ?, created_at = ?, last_seen_at = ?, acknowledged_at = ?,
                    acknowledged_by = ?, resolved_at = ?, resolved_by = ?, alert_count = ?, firing_count = ?,
                    truncated_alerts = ?, drill_run = ?, correlation_id = ?
                WHERE id = ?
                """
        ).execute(arguments: [
            title, severity, state, source, receiver, groupKey, LabelJSON.encode(groupLabels), externalURL,
            StoredDate.text(createdAt), StoredDate.text(lastSeenAt), acknowledgedAt.map(StoredDate.text), acknowledgedBy,
            resolvedAt.map(StoredDate.text), resolvedBy, alertCount, firingCount, truncatedAlerts, drillRun, correlationID, id,
        ])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["title"] = title
        container["severity"] = severity
        container["state"] = state
        container["source"] = source
        container["receiver"] = receiver
        container["group_key"] = groupKey
        container["group_labels"] = LabelJSON.encode(groupLabels)
        container["external_url"] = externalURL
        container["created_at"] = StoredDate.text(createdAt)
        container["last_seen_at"] = StoredDate.text(lastSeenAt)
        container["acknowledged_at"] = acknowledgedAt.map(StoredDate.text)
        container["acknowledged_by"] = acknowledgedBy
        container["resolved_at"] = resolvedAt.map(StoredDate.text)
        container["resolved_by"] = resolvedBy
        container["alert_count"] = alertCount
        container["firing_count"] = firingCount
        container["truncated_alerts"] = truncatedAlerts
        container["drill_run"] = drillRun
        container["correlation_id"] = correlationID
    }
}

extension TimelineEvent {
    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["incident_id"] = incidentID
        container["at"] = StoredDate.text(at)
        container["kind"] = kind
        container["actor"] = actor
        container["channel"] = channel
        container["note"] = note
        container["lateness_ms"] = latenessMs
    }
}

extension Escalation {
    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["incident_id"] = incidentID
        container["policy_name"] = policyName
        container["snapshot"] = String(decoding: try Self.databaseJSONEncoder(for: "snapshot").encode(snapshot), as: UTF8.self)
        container["epoch"] = epoch
        container["started_at"] = StoredDate.text(startedAt)
        container["position"] = position
        container["next_due_at"] = nextDueAt.map(StoredDate.text)
    }
}
