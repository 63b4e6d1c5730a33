import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    /// Opens an incident by hand (source `manual`) and pages its targets at once, in one commit:
    /// the person and the schedule's on-call person through one-step policies made for the
    /// occasion (``ManualPage/handPolicy(for:)``), and the named policy from its first step.
    /// Audited, with who asked on the timeline.
    public func openManualIncident(
        _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        let opening = try ByHand.openingBatch(page, by: actor, now: now, configuration: configuration, snapshotJSON: snapshotJSON)
        return try await write { db in
            let result = try Self.ingest(opening.batch, configuration: opening.configuration, now: now, correlationID: nil, in: db)
            guard let id = result.incidentID else { throw StoreError.database("the page by hand opened no incident") }
            let queued = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE incident_id = ?", arguments: [id]) ?? 0
            guard page.targets.isEmpty || queued > 0 else {
                throw ByHand.nobodyPaged(page)  // rolled back: no incident that pages nobody
            }
            return try Self.recordPage(page, incident: id, opened: true, by: actor, now: now, in: db)
        }
    }

    /// Pages `page`'s targets about the open incident `id` now (`tocsin page 42 --person bob`),
    /// without changing its state: an acknowledged incident stays acknowledged. A named policy
    /// starts on it from its first step. Audited, with who asked on the timeline.
    public func pageResponders(
        incident id: Int64, _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        try await write { db in
            let incident = try Self.incident(id: id, in: db)
            guard incident.state.isOpen else {
                throw StoreError.conflict("incident #\(id) is resolved: open a new one with `tocsin page --person … --summary …`")
            }
            let policies = ByHand.policies(of: page, configuration: configuration)
            let queued = try Self.start(
                policies, on: incident, startedBy: "\(actor.name) (by hand)", now: now, configuration: configuration, in: db)
            guard page.targets.isEmpty || queued > 0 else { throw ByHand.nobodyPaged(page) }
            return try Self.recordPage(page, incident: id, opened: false, by: actor, now: now, in: db)
        }
    }

    /// Stops the incident's running escalations for good (unsent pages are cancelled) and starts
    /// `page`'s policy from its first step, or pages its person, who becomes the only target.
    /// Audited. A reassignment that would page nobody now is refused and changes nothing.
    public func reassign(
        incident id: Int64, _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        try await write { db in
            let incident = try Self.incident(id: id, in: db)
            guard incident.state.isOpen else { throw StoreError.conflict("incident #\(id) is resolved: there is nothing to reassign") }
            try Self.withdrawPreparedSteps(ofIncident: id, now: now, in: db)
            let running = try Self.liveEscalations(ofIncident: id, in: db)
            // Stopped for good: no acknowledgement expiring, alert joining or escalation by hand restarts them.
            try db.execute(
                sql: "UPDATE escalations SET stopped_at = ?, next_due_at = NULL WHERE incident_id = ? AND stopped_at IS NULL",
                arguments: [StoredDate.text(now), id])
            try Self.cancelUnsentPages(ofIncident: id, reason: "cancelled: incident reassigned by \(actor.name)", now: now, in: db)
            let policies = ByHand.policies(of: page, configuration: configuration)
            var (event, audit) = ByHand.reassignedRecords(page, incident: id, stopped: running, by: actor, now: now)
            try event.insertRow(db)
            let queued = try Self.start(
                policies, on: incident, startedBy: "\(actor.name) (reassigned)", now: now, configuration: configuration, in: db)
            guard page.targets.isEmpty || queued > 0 else { throw ByHand.nobodyPaged(page) }
            try Self.audit(audit, in: db)
            return IncidentCommandResult(incident: try Self.incident(id: id, in: db), changed: true)
        }
    }

    /// Starts `policies` on `incident` (a name it already runs gets a number: `… (2)`) and runs
    /// their first steps at once, as for a triggered incident whatever its state. A drill's
    /// incident is paged as its drill says (``PolicySnapshot/forDrill(_:)``).
    @discardableResult
    static func start(
        _ policies: [EscalationPolicy], on incident: Incident, startedBy: String, now: Date, configuration: TocsinConfiguration,
        in db: Database
    ) throws -> Int {
        guard let id = incident.id else { return 0 }
        var queued = 0
        var names = Set(try Escalation.filter(Escalation.Columns.incidentID == id).fetchAll(db).map(\.policyName))
        let onCall = try onCallDirectory(configuration, now: now, in: db)
        let drill = try incident.drillRun.map { drillRun in (run: try DrillRun.fetchOne(db, key: drillRun).flatMap { $0.finishedAt == nil ? $0 : nil }, ()) }
        for policy in policies {
            let snapshot = PolicyStart.snapshot(
                of: PolicyStart.named(policy, avoiding: &names), configuration: configuration, drill: drill)
            var escalation = EscalationPlanner.start(incidentID: id, snapshot: snapshot, now: now, startedBy: startedBy)
            try escalation.insert(db, snapshotJSON: try Escalation.snapshotJSON(snapshot))
            let pass = PolicyStart.firstPass(of: escalation, on: incident, now: now, onCall: onCall)
            try saveTimers([pass.timer], in: db)
            try insert(pass.events.map { (id, $0, false) }, in: db)
            queued += try enqueue(pass.notifications, now: now, in: db)
        }
        return queued
    }

    /// Who asked for the page, on the timeline and in the audit trail.
    private static func recordPage(
        _ page: ManualPage, incident id: Int64, opened: Bool, by actor: Actor, now: Date, in db: Database
    ) throws -> IncidentCommandResult {
        var (event, audit) = ByHand.pageRecords(page, incident: id, opened: opened, by: actor, now: now)
        try event.insertRow(db)
        try Self.audit(audit, in: db)
        return IncidentCommandResult(incident: try incident(id: id, in: db), changed: true)
    }
}
