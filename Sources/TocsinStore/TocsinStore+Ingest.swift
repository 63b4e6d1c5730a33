import Foundation
import GRDB
import TocsinCore

/// What storing one batch did (the server tells the sender as `IngestResultResource`).
public struct IngestResult: Sendable, Equatable {
    /// The incident the batch went into, if any.
    public var incidentID: Int64?
    /// The incident's state afterwards.
    public var state: IncidentState?
    public var counts: IngestPlan.Counts
    /// Whether escalation timers started, restarted or stopped (the escalator should look now).
    public var escalationChanged = false
    /// Whether notifications went to the outbox (the dispatcher should look now): a first step
    /// due at once, or the notices of an incident the batch resolved.
    public var notificationsQueued = false

    /// Nothing stored: a message that carried no alert (a confirmation, an ignored state).
    public static let nothing = IngestResult(incidentID: nil, state: nil, counts: .init())
}

extension TocsinStore {
    /// Merges `batch` into its incident and commits: alerts upserted by fingerprint, the incident
    /// opened or updated, timeline events appended, escalation started, restarted or stopped, all
    /// in one transaction (shared with the batches that wait for the writer at the same time, a
    /// failing batch failing alone: ``GroupCommit``). Returns after the commit.
    ///
    /// Each firing alert is routed by its own labels through `configuration`'s routes: a new
    /// incident starts (and snapshots) every policy its alerts route to, and an alert joining an
    /// open incident starts any such policy not yet running on it.
    /// Whatever does not depend on the database (column text, route matching, snapshot JSON) is
    /// worked out before the transaction, off the single writer.
    public func ingest(
        _ batch: AlertBatch, configuration: TocsinConfiguration = TocsinConfiguration(), now: Date, correlationID: String? = nil
    ) async throws(StoreError) -> IngestResult {
        let hold = try await maintenanceHold(at: now)
        let prepared = try StoreError.mapping {
            try PreparedBatch(batch, configuration: configuration, hold: hold, snapshotJSON: snapshotJSON)
        }
        var result = try await ingestCommits.submit(to: writer, writeHealth: writeHealth) { db in
            try Self.ingest(prepared, configuration: configuration, now: now, correlationID: correlationID, in: db)
        }
        if !prepared.routes.held.isEmpty {
            // The escalator looks: a window may have closed while this batch was written.
            maintenance.holdsWereRecorded()
            result.escalationChanged = true
        }
        return result
    }

    static func ingest(
        _ prepared: PreparedBatch, configuration: TocsinConfiguration, now: Date, correlationID: String?, in db: Database
    ) throws -> IngestResult {
        let (latest, storedRows) = try latestIncident(for: prepared, in: db) ?? (nil, [:])
        let write = IngestWrite(prepared: prepared, latest: latest, drill: try drill(of: prepared.batch, in: db), now: now)
        var incident: Incident
        switch write.incidentRow(correlationID: correlationID) {
        case nil:
            return write.unchanged
        case .insert(let opened):
            incident = opened
            try incident.insertRow(db)
        case .touch(let updated):
            incident = updated
            try db.cachedStatement(sql: "UPDATE incidents SET last_seen_at = ? WHERE id = ?")
                .execute(arguments: [StoredDate.text(updated.lastSeenAt), updated.id])
        case .save(let updated):
            incident = updated
            try incident.updateAllColumns(db)
        }
        if let state = write.transition(to: incident) {
            StoreMetrics.afterCommit(of: db) { StoreMetrics.transition(to: state) }
        }
        guard let incidentID = incident.id else {
            throw StoreError.database("incident was stored without an id")
        }
        let seenAt = StoredDate.text(now)
        // An alert sent again unchanged (a resend every repeat_interval) only needs its last-seen
        // time moved: those go in one statement, the rest are upserted one by one.
        var unchanged: [String] = []
        for alert in write.plan.alerts {
            let row = prepared.row(for: alert)
            if storedRows[alert.fingerprint] == row {
                unchanged.append(row.fingerprint)
            } else {
                try store(row, incidentID: incidentID, seenAt: seenAt, known: storedRows[alert.fingerprint] != nil, in: db)
            }
        }
        if !unchanged.isEmpty {
            try db.cachedStatement(
                sql: """
                    UPDATE incident_alerts SET last_seen_at = ?
                    WHERE incident_id = ? AND fingerprint IN (SELECT value FROM json_each(?))
                    """
            ).execute(arguments: [seenAt, incidentID, LabelJSON.encode(unchanged)])
        }
        for var event in write.plan.events {
            event.incidentID = incidentID
            try event.insertRow(db)
        }
        if !prepared.routes.held.isEmpty {
            try recordHolds(write.freshHolds(incidentID: incidentID, stored: storedRows), incidentID: incidentID, now: now, in: db)
        }
        func startPolicies() throws -> [Escalation] {
            try write.escalationsToStart(incidentID: incidentID).map { start in
                var escalation = start.escalation
                try escalation.insert(db, snapshotJSON: start.snapshotJSON)
                return escalation
            }
        }
        let effect = write.effect(on: incident)
        let queued: Bool
        switch effect {
        case .start, .startJoined:
            // A first step due at once goes out with the commit that opened (or joined) the incident.
            queued = try advanceDue(try startPolicies(), of: incident, now: now, configuration: configuration, in: db).queued > 0
        case .restart:
            try restartEscalations(of: incidentID, now: now, in: db)
            _ = try startPolicies()
            queued = try runDueEscalations(ofIncident: incidentID, now: now, configuration: configuration, in: db).queued > 0
        case .finish(let event):
            try finishEscalations(of: incident, event: event, actor: prepared.batch.source, note: "all alerts resolved", now: now, in: db)
            queued = true  // the notices to everyone paged, if any
        case .none:
            queued = false
        }
        return write.result(incident: incident, effect: effect, notificationsQueued: queued)
    }

    /// Inserts the alert into the incident or, when it is `known` there, updates every field but
    /// `first_seen_at`.
    ///
    /// `seenAt` is the stored text of the time the batch arrived (formatted once per batch).
    static func store(_ row: StoredAlertRow, incidentID: Int64, seenAt: String, known: Bool, in db: Database) throws {
        // Both statements take their values in the same order, bound once below (the insert's
        // `first_seen_at` is `?7`, the time seen).
        var statement: DirectStatement
        if known {
            statement = DirectStatement(try db.cachedStatement(
                sql: """
                    UPDATE incident_alerts SET status = ?, labels = ?, annotations = ?, starts_at = ?, ends_at = ?,
                                               generator_url = ?, last_seen_at = ?
                    WHERE incident_id = ? AND fingerprint = ?
                    """
            ))
        } else {
            statement = DirectStatement(try db.cachedStatement(
                sql: """
                    INSERT INTO incident_alerts (status, labels, annotations, starts_at, ends_at, generator_url,
                                                 last_seen_at, incident_id, fingerprint, first_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?7)
                    """
            ))
        }
        statement.bind(row.status)
        statement.bind(row.labels)
        statement.bind(row.annotations)
        statement.bind(row.startsAt)
        statement.bind(row.endsAt)
        statement.bind(row.generatorURL)
        statement.bind(seenAt)
        statement.bind(incidentID)
        statement.bind(row.fingerprint)
        try statement.execute()
    }

    /// The newest incident with this key, what the planner needs to know about the batch's own
    /// alerts in it, and those alerts' stored rows.
    static func latestIncident(for prepared: PreparedBatch, in db: Database) throws
        -> (IngestPlanner.Existing, [Fingerprint: StoredAlertRow])?
    {
        let batch = prepared.batch
        let newest = try db.cachedStatement(
            sql: "SELECT \(Incident.selection) FROM incidents WHERE receiver = ? AND group_key = ? ORDER BY id DESC LIMIT 1")
        guard
            let incident = try Incident.fetchOne(newest, arguments: [batch.receiver, batch.groupKey]),
            let id = incident.id
        else { return nil }
        var alerts: [Fingerprint: IngestPlanner.KnownAlert] = [:]
        var stored: [Fingerprint: StoredAlertRow] = [:]
        var select = DirectStatement(try db.cachedStatement(
            sql: """
                SELECT fingerprint, status, labels, annotations, starts_at, ends_at, generator_url FROM incident_alerts
                WHERE incident_id = ? AND fingerprint IN (SELECT value FROM json_each(?))
                """))
        select.bind(id)
        select.bind(prepared.fingerprintsJSON)
        try select.forEachRow { columns in
            guard let fingerprintText = columns.text(0), let fingerprint = Fingerprint(hex: fingerprintText),
                let statusText = columns.text(1), let status = AlertStatus(rawValue: statusText),
                let labels = columns.text(2), let annotations = columns.text(3),
                let startsAtText = columns.text(4), let startsAt = StoredDate.parse(text: startsAtText), let generatorURL = columns.text(6)
            else { throw StoreError.database("malformed alert row in incident \(id)") }
            alerts[fingerprint] = IngestPlanner.KnownAlert(status: status, startsAt: startsAt)
            stored[fingerprint] = StoredAlertRow(
                fingerprint: fingerprintText, status: statusText, labels: labels, annotations: annotations, startsAt: startsAtText,
                endsAt: columns.text(5), generatorURL: generatorURL)
        }
        // Which policies run matters only when an alert starts firing in an open incident: it may
        // route to one that is not running yet.
        var running: Set<String> = []
        if incident.state.isOpen, batch.alerts.contains(where: { $0.status == .firing && alerts[$0.fingerprint]?.status != .firing }) {
            running = Set(try String.fetchAll(
                db.cachedStatement(sql: "SELECT policy_name FROM escalations WHERE incident_id = ?"), arguments: [id]))
        }
        return (IngestPlanner.Existing(incident: incident, alerts: alerts, runningPolicies: running), stored)
    }
}

/// What can be worked out about a batch before its transaction, on the request's own thread:
/// every alert's row as it will be stored, the list of its fingerprints, the policies each firing
/// alert routes to, and those policies' snapshots (with their stored JSON). The single database
/// writer then only reads, decides and binds.
struct PreparedBatch: Sendable {
    let batch: AlertBatch
    /// Each alert's row, with the times it was prepared from.
    let rows: [Fingerprint: (row: StoredAlertRow, startsAt: Date, endsAt: Date?)]
    let fingerprintsJSON: String
    /// The policies each firing alert routes to, by its own labels.
    let routes: AlertRoutes
    /// The snapshot of every policy some alert routes to, by name, with its stored JSON (from the
    /// store's ``SnapshotJSONCache``: encoded here, off the writer, the first time a configuration uses it).
    let snapshots: [String: (snapshot: PolicySnapshot, json: String)]

    init(
        _ batch: AlertBatch, configuration: TocsinConfiguration, hold: MaintenanceHold = MaintenanceHold(), snapshotJSON: SnapshotJSONCache
    ) throws {
        self.batch = batch
        var rows: [Fingerprint: (row: StoredAlertRow, startsAt: Date, endsAt: Date?)] = [:]
        rows.reserveCapacity(batch.alerts.count)
        var fingerprints: [String] = []
        fingerprints.reserveCapacity(batch.alerts.count)
        // Alerts that started together share their start's text (a group's alerts often do).
        var lastStart: (date: Date, text: String)?
        for alert in batch.alerts {
            let row = StoredAlertRow(alert, startsAt: lastStart?.date == alert.startsAt ? lastStart?.text : nil)
            lastStart = (alert.startsAt, row.startsAt)
            rows[alert.fingerprint] = (row, alert.startsAt, alert.endsAt)
            fingerprints.append(row.fingerprint)
        }
        self.rows = rows
        fingerprintsJSON = LabelJSON.encode(fingerprints)
        routes = configuration.routes(for: batch, hold: hold)
        var snapshots: [String: (snapshot: PolicySnapshot, json: String)] = [:]
        for names in routes.byFingerprint.values {
            for name in names where snapshots[name] == nil {
                guard let snapshot = configuration.snapshot(ofPolicy: name) else { continue }
                snapshots[name] = (snapshot, try snapshotJSON.json(for: snapshot))
            }
        }
        self.snapshots = snapshots
    }

    /// The row `alert` (one of the batch's, perhaps with its start moved by the planner) is stored as.
    func row(for alert: Alert) -> StoredAlertRow {
        guard let (prepared, startsAt, endsAt) = rows[alert.fingerprint], prepared.status == alert.status.rawValue,
            endsAt == alert.endsAt, prepared.generatorURL == alert.generatorURL
        else { return StoredAlertRow(alert) }
        var row = prepared
        if startsAt != alert.startsAt {
            row.startsAt = StoredDate.text(alert.startsAt)
        }
        return row
    }
}

/// One alert's columns as stored in `incident_alerts` (times excepted): equal rows mean an alert
/// was sent again unchanged.
struct StoredAlertRow: Equatable, Sendable {
    var fingerprint: String
    var status: String
    var labels: String
    var annotations: String
    var startsAt: String
    var endsAt: String?
    var generatorURL: String
}

extension StoredAlertRow {
    /// The row `alert` is stored as; `startsAt`, when given, is the stored text of its start.
    init(_ alert: Alert, startsAt: String? = nil) {
        self.init(
            fingerprint: alert.fingerprint.description, status: alert.status.rawValue, labels: LabelJSON.encode(alert.labels),
            annotations: LabelJSON.encode(alert.annotations), startsAt: startsAt ?? StoredDate.text(alert.startsAt),
            endsAt: alert.endsAt.map(StoredDate.text), generatorURL: alert.generatorURL)
    }
}
