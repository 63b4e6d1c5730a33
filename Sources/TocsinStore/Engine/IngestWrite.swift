import Foundation
import TocsinCore

/// What merging one batch writes, decided once for both stores from the ingest plan and what the
/// store read: the incident's row, the policies to start, the holds to record and the escalation
/// effect. The stores only read, lock and write.
struct IngestWrite {
    /// How the incident's row is written.
    enum IncidentRow {
        /// A new incident.
        case insert(Incident)
        /// A resend: nothing but the time it was last seen changes.
        case touch(Incident)
        /// Every column.
        case save(Incident)
    }

    let prepared: PreparedBatch
    let plan: IngestPlan
    let latest: Incident?
    /// The drill the batch belongs to: its id, and its run while it lasts.
    let drill: (id: String, run: DrillRun?)?
    let now: Date

    init(
        prepared: PreparedBatch, latest: IngestPlanner.Existing?, drill: (id: String, run: DrillRun?)?, now: Date
    ) {
        self.prepared = prepared
        plan = IngestPlanner.plan(batch: prepared.batch, latest: latest, now: now, routes: prepared.routes)
        self.latest = latest?.incident
        self.drill = drill
        self.now = now
    }

    /// The incident's row to write, or nil when the batch changes nothing.
    func incidentRow(correlationID: String?) -> IncidentRow? {
        switch plan.incident {
        case .none:
            return nil
        case .insert(var opened):
            opened.drillRun = drill?.id
            opened.correlationID = correlationID
            return .insert(opened)
        case .update(let updated):
            if let latest, Self.onlySeenAgain(latest, now: updated) { return .touch(updated) }
            return .save(updated)
        }
    }

    /// Whether `updated` differs from `stored` only in when it was last seen.
    private static func onlySeenAgain(_ stored: Incident, now updated: Incident) -> Bool {
        var seen = stored
        seen.lastSeenAt = updated.lastSeenAt
        return seen == updated
    }

    /// The answer when the batch changes nothing.
    var unchanged: IngestResult { IngestResult(incidentID: nil, state: nil, counts: plan.counts) }

    /// The incident's state to count once the write commits, when it changed (or the incident is new).
    func transition(to incident: Incident) -> IncidentState? {
        latest?.state != incident.state || latest?.id != incident.id ? incident.state : nil
    }

    /// The held alerts to record: only those that start firing here (one already firing is
    /// already being paged about).
    func freshHolds(incidentID: Int64, stored: [Fingerprint: StoredAlertRow]) -> [Fingerprint: MaintenanceWindow] {
        prepared.routes.held.filter { stored[$0.key]?.status != AlertStatus.firing.rawValue || latest?.id != incidentID }
    }

    /// The escalations the plan starts (each alert routed by its own labels), not yet stored, each
    /// with its snapshot's JSON: a drill's copy of the policy, its pages redirected to the drill's
    /// receiver, is encoded for its run alone.
    func escalationsToStart(incidentID: Int64) throws -> [(escalation: Escalation, snapshotJSON: String)] {
        try plan.startedPolicies.compactMap { start in
            guard let policy = prepared.snapshots[start.policy] else { return nil }
            let snapshot = drill.map { policy.snapshot.forDrill($0.run) } ?? policy.snapshot
            let escalation = EscalationPlanner.start(
                incidentID: incidentID, snapshot: snapshot, now: now, startedBy: start.alert.shortDescription)
            return (escalation, drill == nil ? policy.json : try Escalation.snapshotJSON(snapshot))
        }
    }

    /// What the batch does to the incident's escalations, now that `incident` is written.
    func effect(on incident: Incident) -> EscalationEffect {
        let before: IncidentState? = if case .insert = plan.incident { nil } else { latest?.state }
        return EscalationEffect.afterIngest(before: before, after: incident.state, startsPolicies: !plan.startedPolicies.isEmpty)
    }

    /// The answer once the batch is written.
    func result(incident: Incident, effect: EscalationEffect, notificationsQueued: Bool) -> IngestResult {
        IngestResult(
            incidentID: incident.id, state: incident.state, counts: plan.counts, escalationChanged: effect != .none,
            notificationsQueued: notificationsQueued)
    }
}
