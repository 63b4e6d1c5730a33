import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// Acting on incidents by hand on PostgreSQL: the same decisions (``ByHand``, ``PolicyStart``)
// as SQLite's store, each on the incident's row locked for the transaction.

extension PostgresStore {
    public func addNote(id: Int64, text: String, notify: Bool, by actor: Actor, now: Date) async throws(StoreError) -> NoteResult {
        try await work { work in
            let incident = try await work.lockedIncident(id)
            var note = TimelineEvent(incidentID: id, at: now, kind: .note, actor: actor.name, channel: actor.channel, note: text)
            note.id = try await work.insertEvent(note)
            try await Self.insertAudit(ByHand.noteAudit(text, incident: id, by: actor, now: now), on: work.connection, logger: work.logger)
            var notified = 0
            if notify, let noteID = note.id {
                let drafts = EscalationPlanner.noteNotices(
                    text, incident: incident, recipients: try await work.noticeRecipients(ofIncident: id, now: now), actor: actor.name,
                    noteID: noteID)
                notified = try await work.enqueue(drafts, now: now)
            }
            return NoteResult(incident: incident, note: note, notified: notified)
        }
    }

    public func escalateNow(
        id: Int64, toStep: Int?, by actor: Actor, note: String?, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        try await work { work in
            var incident = try await work.lockedIncident(id)
            guard incident.state != .resolved else {
                throw StoreError.conflict("incident #\(id) is resolved: there is nothing to escalate")
            }
            try await work.withdrawPreparedSteps(ofIncident: id, now: now)
            let moved = try ByHand.escalations(try await work.liveEscalations(ofIncident: id), of: id, toStep: toStep, now: now)
            if incident.state == .acknowledged {
                let retriggered = ByHand.retriggered(incident, by: actor, now: now)
                incident = retriggered.incident
                try await work.save(incident)
                work.afterCommit.append { StoreMetrics.transition(to: .triggered) }
                try await work.insert([(id, retriggered.event, false)])
            }
            try await work.saveTimers(moved)
            let records = ByHand.escalatedRecords(moved, of: id, by: actor, note: note, now: now)
            try await work.insert([(id, records.event, false)])
            try await Self.insertAudit(records.audit, on: work.connection, logger: work.logger)
            _ = try await work.runDueEscalations(ofIncident: id, now: now, configuration: configuration)
            return IncidentCommandResult(incident: try await work.lockedIncident(id), changed: true)
        }
    }

    public func openManualIncident(
        _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        let opening = try ByHand.openingBatch(page, by: actor, now: now, configuration: configuration, snapshotJSON: snapshotJSON)
        return try await work { work in
            let result = try await work.ingest(opening.batch, configuration: opening.configuration, now: now, correlationID: nil)
            guard let id = result.incidentID else { throw StoreError.database("the page by hand opened no incident") }
            let queued = try await work.query("SELECT count(*) FROM outbox WHERE incident_id = $1", Self.binding(id))
                .first.map { try $0.decode(Int.self) } ?? 0
            guard page.targets.isEmpty || queued > 0 else { throw ByHand.nobodyPaged(page) }  // rolled back
            return try await work.recordPage(page, incident: id, opened: true, by: actor, now: now)
        }
    }

    public func pageResponders(
        incident id: Int64, _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        try await work { work in
            let incident = try await work.lockedIncident(id)
            guard incident.state.isOpen else {
                throw StoreError.conflict("incident #\(id) is resolved: open a new one with `tocsin page --person … --summary …`")
            }
            let queued = try await work.start(
                ByHand.policies(of: page, configuration: configuration), on: incident, startedBy: "\(actor.name) (by hand)", now: now,
                configuration: configuration)
            guard page.targets.isEmpty || queued > 0 else { throw ByHand.nobodyPaged(page) }
            return try await work.recordPage(page, incident: id, opened: false, by: actor, now: now)
        }
    }

    public func reassign(
        incident id: Int64, _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        try await work { work in
            let incident = try await work.lockedIncident(id)
            guard incident.state.isOpen else { throw StoreError.conflict("incident #\(id) is resolved: there is nothing to reassign") }
            try await work.withdrawPreparedSteps(ofIncident: id, now: now)
            let running = try await work.liveEscalations(ofIncident: id)
            try await work.query(
                "UPDATE escalations SET stopped_at = $1, next_due_at = NULL WHERE incident_id = $2 AND stopped_at IS NULL",
                work.bindings(now.moment, id))
            try await work.cancelUnsentPages(ofIncident: id, reason: "cancelled: incident reassigned by \(actor.name)", now: now)
            let records = ByHand.reassignedRecords(page, incident: id, stopped: running, by: actor, now: now)
            try await work.insert([(id, records.event, false)])
            let queued = try await work.start(
                ByHand.policies(of: page, configuration: configuration), on: incident, startedBy: "\(actor.name) (reassigned)", now: now,
                configuration: configuration)
            guard page.targets.isEmpty || queued > 0 else { throw ByHand.nobodyPaged(page) }
            try await Self.insertAudit(records.audit, on: work.connection, logger: work.logger)
            return IncidentCommandResult(incident: try await work.lockedIncident(id), changed: true)
        }
    }
}

extension PostgresWork {
    /// The incident, its row locked for the rest of the transaction.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)``.
    func lockedIncident(_ id: Int64) async throws -> Incident {
        guard let values = try await values(of: "incidents", "WHERE t.id = $1 FOR UPDATE", PostgresStore.binding(id)).first else {
            throw StoreError.notFound(what: "incident", id: "#\(id)")
        }
        return try Incident(stored: values)
    }

    /// Inserts one timeline event and returns its id.
    func insertEvent(_ event: TimelineEvent) async throws -> Int64? {
        var values: [(any DatabaseValueConvertible)?] = []
        event.appendStoredValues(incidentID: event.incidentID, prepared: false, to: &values)
        return try await insert(into: "timeline_events", columns: TimelineEvent.storedColumnNames, rows: [values]).first
    }

    /// Takes back the incident's steps prepared ahead of `now` that have not fallen due, and
    /// returns its escalations to those steps.
    func withdrawPreparedSteps(ofIncident id: Int64, now: Date) async throws {
        guard try await deletePreparedSteps(ofIncident: id, now: now) else { return }
        for escalation in try await rows(of: "escalations", "WHERE t.incident_id = $1", PostgresStore.binding(id)).map(Escalation.init(row:)) {
            let withdrawn = EscalationPlanner.withdrawPrepared(escalation, now: now)
            if withdrawn != escalation { try await saveTimers([withdrawn]) }
        }
    }

    /// Who asked for the page, on the timeline and in the audit trail.
    func recordPage(_ page: ManualPage, incident id: Int64, opened: Bool, by actor: Actor, now: Date) async throws -> IncidentCommandResult {
        let records = ByHand.pageRecords(page, incident: id, opened: opened, by: actor, now: now)
        try await insert([(id, records.event, false)])
        try await PostgresStore.insertAudit(records.audit, on: connection, logger: logger)
        return IncidentCommandResult(incident: try await lockedIncident(id), changed: true)
    }
}
