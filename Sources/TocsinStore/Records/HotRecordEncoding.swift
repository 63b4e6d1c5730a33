import Foundation
import GRDB
import TocsinCore

// The records written on every ingest and every escalation step, encoded column by column
// instead of through Codable (GRDB's `encode(to:)` hook): the same columns and the same text
// (dates as `StoredDate`, JSON as `LabelJSON` and GRDB's own JSON encoder), at a fraction of the
// cost. Reading them stays Codable. `RecordEncodingTests` checks that each one reads back equal.

extension Incident {
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
