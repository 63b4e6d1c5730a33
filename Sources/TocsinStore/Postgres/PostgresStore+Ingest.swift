import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// Ingest on PostgreSQL, on any instance: the same plan (``IngestPlanner``) as SQLite's store
// (`TocsinStore+Ingest.swift`). Batches of one group are taken one at a time across instances:
// each transaction first takes a lock on its `(receiver, group key)`, so two Alertmanager replicas
// posting the same group to two instances at the same moment give one incident, the second batch
// joining what the first opened. The unique open-incident key (`incidents_open_key`) stands behind
// the lock.

extension PostgresStore {
    public func ingest(
        _ batch: AlertBatch, configuration: TocsinConfiguration = TocsinConfiguration(), now: Date, correlationID: String? = nil
    ) async throws(StoreError) -> IngestResult {
        // The windows are read in the ingest's own transaction: one transaction, one round trip fewer.
        let (result, held) = try await work { work in
            let hold = try await work.maintenanceHold(at: now)
            let prepared = try StoreError.mapping {
                try PreparedBatch(batch, configuration: configuration, hold: hold, snapshotJSON: snapshotJSON)
            }
            let result = try await work.ingest(prepared, configuration: configuration, now: now, correlationID: correlationID)
            return (result, !prepared.routes.held.isEmpty)
        }
        var answer = result
        if held {
            answer.escalationChanged = true  // the escalator looks: a window may have closed meanwhile
        }
        return answer
    }

    /// The maintenance windows open at `now`.
    public func maintenanceHold(at now: Date) async throws(StoreError) -> MaintenanceHold {
        try await work { work in try await work.maintenanceHold(at: now) }
    }
}

extension PostgresWork {
    /// The maintenance windows open at `now`.
    func maintenanceHold(at now: Date) async throws -> MaintenanceHold {
        MaintenanceHold(try await rows(of: "maintenance_windows", "WHERE t.released_at IS NULL ORDER BY t.id").map(TocsinStore.window), at: now)
    }

    func ingest(_ prepared: PreparedBatch, configuration: TocsinConfiguration, now: Date, correlationID: String?) async throws
        -> IngestResult
    {
        let batch = prepared.batch
        try await query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", PostgresStore.binding("ingest\n\(batch.receiver)\n\(batch.groupKey)"))
        let (latest, storedRows) = try await latestIncident(for: prepared) ?? (nil, [:])
        let write = IngestWrite(prepared: prepared, latest: latest, drill: try await drill(of: batch), now: now)
        var incident: Incident
        switch write.incidentRow(correlationID: correlationID) {
        case nil:
            return write.unchanged
        case .insert(let opened):
            incident = opened
            let names = Array(Incident.storedColumnNames.dropFirst())
            incident.id = try await insert(into: "incidents", columns: names, rows: [Array(incident.storedValues.dropFirst())]).first
        case .touch(let updated):
            incident = updated
            guard let id = updated.id else { throw StoreError.database("cannot update an incident that was never stored") }
            try await query("UPDATE incidents SET last_seen_at = $1 WHERE id = $2", bindings(updated.lastSeenAt.moment, id))
        case .save(let updated):
            incident = updated
            try await save(incident)
        }
        if let state = write.transition(to: incident) {
            afterCommit.append { StoreMetrics.transition(to: state) }
        }
        guard let incidentID = incident.id else { throw StoreError.database("incident was stored without an id") }
        try await storeAlerts(write.plan.alerts, of: prepared, incidentID: incidentID, stored: storedRows, now: now)
        try await insert(write.plan.events.map { (incidentID, $0, false) })
        if !prepared.routes.held.isEmpty {
            try await recordHolds(write.freshHolds(incidentID: incidentID, stored: storedRows), incidentID: incidentID, now: now)
        }
        func startPolicies() async throws -> [Escalation] {
            var started: [Escalation] = []
            for (escalation, json) in try write.escalationsToStart(incidentID: incidentID) {
                var escalation = escalation
                escalation.id = try await insert(into: "escalations", columns: Escalation.storedColumnNames, rows: [escalation.storedValues(snapshotJSON: json)]).first
                started.append(escalation)
            }
            return started
        }
        let effect = write.effect(on: incident)
        if effect != .none || !prepared.routes.held.isEmpty { try await announceWork() }
        let queued: Bool
        switch effect {
        case .start, .startJoined:
            queued = try await advanceDue(try await startPolicies(), of: incident, now: now, configuration: configuration).queued > 0
        case .restart:
            try await restartEscalations(of: incidentID, now: now)
            _ = try await startPolicies()
            queued = try await runDueEscalations(ofIncident: incidentID, now: now, configuration: configuration).queued > 0
        case .finish(let event):
            try await finishEscalations(of: incident, event: event, actor: batch.source, note: "all alerts resolved", now: now)
            queued = true
        case .none:
            queued = false
        }
        return write.result(incident: incident, effect: effect, notificationsQueued: queued)
    }

    /// The newest incident with the batch's key (its row locked), what the planner needs to know
    /// about the batch's own alerts in it, and those alerts' stored rows.
    func latestIncident(for prepared: PreparedBatch) async throws -> (IngestPlanner.Existing, [Fingerprint: StoredAlertRow])? {
        let batch = prepared.batch
        var key = PostgresBindings()
        key.append(batch.receiver)
        key.append(batch.groupKey)
        guard
            let values = try await values(
                of: "incidents", "WHERE t.receiver = $1 AND t.group_key = $2 ORDER BY t.id DESC LIMIT 1 FOR UPDATE", key
            ).first,
            case let incident = try Incident(stored: values), let id = incident.id
        else { return nil }
        var alerts: [Fingerprint: IngestPlanner.KnownAlert] = [:]
        var stored: [Fingerprint: StoredAlertRow] = [:]
        let fingerprints = batch.alerts.map(\.fingerprint.description)
        for row in try await rows(of: "incident_alerts", "WHERE t.incident_id = $1 AND t.fingerprint = ANY($2)", bindings(id, fingerprints)) {
            guard let fingerprint = Fingerprint.fromDatabaseValue(row["fingerprint"]),
                let status = AlertStatus.fromDatabaseValue(row["status"]),
                let startsAt = StoredDate.parse(row["starts_at"])
            else { throw StoreError.database("malformed alert row in incident \(id)") }
            alerts[fingerprint] = IngestPlanner.KnownAlert(status: status, startsAt: startsAt)
            stored[fingerprint] = StoredAlertRow(
                fingerprint: row["fingerprint"], status: row["status"], labels: row["labels"], annotations: row["annotations"],
                startsAt: row["starts_at"], endsAt: row["ends_at"], generatorURL: row["generator_url"])
        }
        var running: Set<String> = []
        if incident.state.isOpen, batch.alerts.contains(where: { $0.status == .firing && alerts[$0.fingerprint]?.status != .firing }) {
            let names = try await query("SELECT policy_name FROM escalations WHERE incident_id = $1", PostgresStore.binding(id))
            running = Set(try names.map { try $0.decode(String.self) })
        }
        return (IngestPlanner.Existing(incident: incident, alerts: alerts, runningPolicies: running), stored)
    }

    /// Writes the plan's alerts: those sent again unchanged only have their last-seen time moved,
    /// known ones are rewritten (all but `first_seen_at`), new ones inserted.
    func storeAlerts(
        _ alerts: [Alert], of prepared: PreparedBatch, incidentID: Int64, stored: [Fingerprint: StoredAlertRow], now: Date
    ) async throws {
        let seenAt = StoredDate.text(now)
        var unchanged: [String] = []
        var new: [[(any DatabaseValueConvertible)?]] = []
        for alert in alerts {
            let row = prepared.row(for: alert)
            if stored[alert.fingerprint] == row {
                unchanged.append(row.fingerprint)
            } else if stored[alert.fingerprint] != nil {
                try await update(
                    "incident_alerts",
                    columns: ["status", "labels", "annotations", "starts_at", "ends_at", "generator_url", "last_seen_at"],
                    values: [row.status, row.labels, row.annotations, row.startsAt, row.endsAt, row.generatorURL, seenAt],
                    where: ["incident_id", "fingerprint"], equal: [incidentID, row.fingerprint])
            } else {
                new.append([
                    incidentID, row.fingerprint, row.status, row.labels, row.annotations, row.startsAt, row.endsAt, row.generatorURL,
                    seenAt, seenAt,
                ])
            }
        }
        try await insert(
            into: "incident_alerts",
            columns: [
                "incident_id", "fingerprint", "status", "labels", "annotations", "starts_at", "ends_at", "generator_url", "first_seen_at",
                "last_seen_at",
            ],
            rows: new)
        if !unchanged.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(now.moment)
            bindings.append(incidentID)
            bindings.append(unchanged)
            try await query("UPDATE incident_alerts SET last_seen_at = $1 WHERE incident_id = $2 AND fingerprint = ANY($3)", bindings)
        }
    }

    /// Records that the windows of `held` hold these alerts of the incident.
    func recordHolds(_ held: [Fingerprint: MaintenanceWindow], incidentID: Int64, now: Date) async throws {
        let rows: [[(any DatabaseValueConvertible)?]] = held.map { fingerprint, window in
            [window.id, incidentID, fingerprint.description, StoredDate.text(now)]
        }
        try await insert(
            into: "maintenance_holds", columns: ["window_id", "incident_id", "fingerprint", "held_at"], rows: rows, suffix: "ON CONFLICT DO NOTHING")
    }

    /// The drill a batch belongs to (``TocsinStore/drill(of:in:)``).
    func drill(of batch: AlertBatch) async throws -> (id: String, run: DrillRun?)? {
        guard batch.receiver == Drill.receiver, let id = batch.alerts.first?.labels[DrillRun.label],
            batch.alerts.allSatisfy({ $0.labels[DrillRun.label] == id })
        else { return nil }
        let run = try await rows(of: "drill_runs", "WHERE t.id = $1", PostgresStore.binding(id)).first.map(DrillRun.init(row:))
        return (id, run?.finishedAt == nil ? run : nil)
    }
}
