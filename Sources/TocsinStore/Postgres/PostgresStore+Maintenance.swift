import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// Maintenance windows on PostgreSQL: the same decisions (``MaintenanceRelease``) as SQLite's
// store. Windows are read from the database at each ingest (another instance may have added
// one); a window is released by one instance only (its row locked, `SKIP LOCKED`).

extension PostgresStore {
    public func addMaintenance(_ window: MaintenanceWindow) async throws(StoreError) -> MaintenanceWindow {
        try await work { work in
            var added = window
            added.id = try await work.insert(
                into: "maintenance_windows", columns: ["matchers", "starts_at", "ends_at", "note", "created_by", "created_at"],
                rows: [[
                    LabelJSON.encode(window.matchers.map(\.description)), StoredDate.text(window.startsAt), StoredDate.text(window.endsAt),
                    window.note, window.createdBy, StoredDate.text(window.createdAt),
                ]]
            ).first
            try await Self.insertAudit(.maintenanceAdded(window, id: added.id ?? 0), on: work.connection, logger: work.logger)
            try await work.announceWork()
            return added
        }
    }

    public func removeMaintenance(id: Int64, by actor: String, now: Date) async throws(StoreError) -> MaintenanceWindow {
        try await work { work in
            guard var window = try await work.rows(of: "maintenance_windows", "WHERE t.id = $1 FOR UPDATE", Self.binding(id))
                .first.map(TocsinStore.window)
            else { throw StoreError.notFound(what: "maintenance window", id: "#\(id)") }
            guard window.removedAt == nil else { return window }
            try await work.query("UPDATE maintenance_windows SET removed_at = $1 WHERE id = $2", work.bindings(now.moment, id))
            window.removedAt = now.storedPrecision
            try await work.announceWork()
            try await Self.insertAudit(.maintenanceRemoved(id: id, by: actor, at: now), on: work.connection, logger: work.logger)
            return window
        }
    }

    public func maintenanceWindows(all: Bool, now: Date) async throws(StoreError) -> [MaintenanceSummary] {
        try await work { work in
            var summaries: [MaintenanceSummary] = []
            let windows = try await work.rows(of: "maintenance_windows", (all ? "" : "WHERE t.released_at IS NULL ") + "ORDER BY t.id DESC")
            for row in windows {
                let window = try TocsinStore.window(row)
                let counts = try await work.query(
                    """
                    SELECT count(DISTINCT h.incident_id), count(*) FROM maintenance_holds AS h
                    JOIN incident_alerts AS a ON a.incident_id = h.incident_id AND a.fingerprint = h.fingerprint
                    WHERE h.window_id = $1 AND h.released_at IS NULL AND a.status = 'firing'
                    """, Self.binding(window.id ?? 0))
                let (incidents, alerts) = try counts.first?.decode((Int, Int).self) ?? (0, 0)
                summaries.append(MaintenanceSummary(window: window, heldIncidents: incidents, heldAlerts: alerts))
            }
            return summaries
        }
    }

    public func releaseClosedMaintenance(now: Date, configuration: TocsinConfiguration) async throws(StoreError)
        -> (next: Date?, released: Int)
    {
        try await work { work in
            let next = try await work.query(
                "SELECT min(ends_at) FROM maintenance_windows WHERE released_at IS NULL AND removed_at IS NULL AND ends_at > $1",
                Self.binding(now.moment)
            ).first.flatMap { try $0.decode(Date?.self) }?.storedPrecision
            // Closed and not released, or released with holds still under them (an ingest that
            // committed just after the release); one instance releases each (the others skip it).
            let windows = try await work.query(
                """
                SELECT w.id FROM maintenance_windows AS w
                WHERE (w.released_at IS NULL AND (w.removed_at IS NOT NULL OR w.ends_at <= $1))
                   OR EXISTS (SELECT 1 FROM maintenance_holds AS h WHERE h.window_id = w.id AND h.released_at IS NULL
                              AND (w.released_at IS NOT NULL OR w.removed_at IS NOT NULL OR w.ends_at <= $1))
                ORDER BY w.id FOR UPDATE OF w SKIP LOCKED
                """, Self.binding(now.moment)
            ).map { try $0.decode(Int64.self) }
            guard !windows.isEmpty else { return (next, 0) }
            let open = try await work.rows(of: "maintenance_windows", "WHERE t.released_at IS NULL ORDER BY t.id").map(TocsinStore.window)
            let hold = MaintenanceHold(open, at: now)
            for windowID in windows {
                try await work.release(window: windowID, hold: hold, now: now, configuration: configuration)
                try await work.query(
                    "UPDATE maintenance_windows SET released_at = $1 WHERE id = $2 AND released_at IS NULL", work.bindings(now.moment, windowID))
            }
            return (next, windows.count)
        }
    }
}

extension PostgresWork {
    /// Pages what window `windowID` held and still fires (``MaintenanceRelease``), each incident locked.
    func release(window windowID: Int64, hold: MaintenanceHold, now: Date, configuration: TocsinConfiguration) async throws {
        let held = try await query(
            """
            SELECT h.incident_id, a.fingerprint, a.labels FROM maintenance_holds AS h
            JOIN incident_alerts AS a ON a.incident_id = h.incident_id AND a.fingerprint = h.fingerprint
            JOIN incidents AS i ON i.id = h.incident_id
            WHERE h.window_id = $1 AND h.released_at IS NULL AND a.status = 'firing' AND i.state <> 'resolved'
            ORDER BY h.incident_id
            """, PostgresStore.binding(windowID)
        ).map { try $0.decode((Int64, String, String).self) }
        let byIncident = Dictionary(grouping: held) { $0.0 }
        for incidentID in byIncident.keys.sorted() {
            guard let values = try await values(of: "incidents", "WHERE t.id = $1 FOR UPDATE", PostgresStore.binding(incidentID)).first else {
                continue
            }
            var incident = try Incident(stored: values)
            let running = Set(try await query("SELECT policy_name FROM escalations WHERE incident_id = $1", PostgresStore.binding(incidentID))
                .map { try $0.decode(String.self) })
            let alerts = (byIncident[incidentID] ?? []).compactMap { _, fingerprint, labels in
                Fingerprint(hex: fingerprint).map { (fingerprint: $0, labels: labels) }
            }
            let release = MaintenanceRelease(windowID: windowID, held: alerts, hold: hold, configuration: configuration, running: running)
            try await recordHolds(release.still, incidentID: incidentID, now: now)
            guard release.paged > 0 else { continue }
            try await insert([(incidentID, release.event(incidentID: incidentID, now: now), false)])
            if incident.state == .acknowledged {
                let retriggered = release.retriggered(incident, now: now)
                incident = retriggered.incident
                try await save(incident)
                afterCommit.append { StoreMetrics.transition(to: .triggered) }
                try await insert([(incidentID, retriggered.event, false)])
                try await restartEscalations(of: incidentID, now: now)
            }
            try await start(release.started, on: incident, startedBy: release.startedBy, now: now, configuration: configuration)
            _ = try await runDueEscalations(ofIncident: incidentID, now: now, configuration: configuration)
        }
        try await query(
            "UPDATE maintenance_holds SET released_at = $1 WHERE window_id = $2 AND released_at IS NULL", bindings(now.moment, windowID))
    }

    /// Starts `policies` on the incident (locked by the caller) and runs their first steps at once
    /// (``PolicyStart``). Returns how many notifications were queued.
    @discardableResult
    func start(
        _ policies: [EscalationPolicy], on incident: Incident, startedBy: String, now: Date, configuration: TocsinConfiguration
    ) async throws -> Int {
        guard let id = incident.id, !policies.isEmpty else { return 0 }
        var names = Set(try await query("SELECT policy_name FROM escalations WHERE incident_id = $1", PostgresStore.binding(id))
            .map { try $0.decode(String.self) })
        let onCall = try await onCallDirectory(configuration, now: now)
        let drill = try await incident.drillRun.asyncFlatMap { drillRun in
            let run = try await rows(of: "drill_runs", "WHERE t.id = $1", PostgresStore.binding(drillRun)).first.map(DrillRun.init(row:))
            return (run: run?.finishedAt == nil ? run : nil, ())
        }
        var queued = 0
        for policy in policies {
            let snapshot = PolicyStart.snapshot(of: PolicyStart.named(policy, avoiding: &names), configuration: configuration, drill: drill)
            var escalation = EscalationPlanner.start(incidentID: id, snapshot: snapshot, now: now, startedBy: startedBy)
            escalation.id = try await insert(
                into: "escalations", columns: Escalation.storedColumnNames,
                rows: [escalation.storedValues(snapshotJSON: try Escalation.snapshotJSON(snapshot))]
            ).first
            let pass = PolicyStart.firstPass(of: escalation, on: incident, now: now, onCall: onCall)
            try await saveTimers([pass.timer])
            try await insert(pass.events.map { (id, $0, false) })
            queued += try await enqueue(pass.notifications, now: now)
        }
        return queued
    }
}
