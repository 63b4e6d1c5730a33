import Foundation
import GRDB
import TocsinCore

/// What a note did.
public struct NoteResult: Sendable, Equatable {
    public var incident: Incident
    /// The timeline entry of the note.
    public var note: TimelineEvent
    /// How many notifications of it were queued (with `notify`, one per contact already paged).
    public var notified: Int
}

extension TocsinStore {
    /// Writes a note on the incident's timeline (audited); with `notify`, everyone already paged
    /// about the incident is sent it. A resolved incident takes notes too (a post-mortem line).
    public func addNote(id: Int64, text: String, notify: Bool, by actor: Actor, now: Date) async throws(StoreError) -> NoteResult {
        try await write { db in
            let incident = try Self.incident(id: id, in: db)
            var note = TimelineEvent(incidentID: id, at: now, kind: .note, actor: actor.name, channel: actor.channel, note: text)
            try note.insertRow(db)
            try Self.audit(ByHand.noteAudit(text, incident: id, by: actor, now: now), in: db)
            var notified = 0
            if notify, let noteID = note.id {
                let drafts = EscalationPlanner.noteNotices(
                    text, incident: incident, recipients: try Self.noticeRecipients(ofIncident: id, now: now, in: db), actor: actor.name, noteID: noteID)
                notified = try Self.enqueue(drafts, now: now, in: db)
            }
            return NoteResult(incident: incident, note: note, notified: notified)
        }
    }

    /// Escalates the incident by hand: the next step of each of its policies (or step `toStep`)
    /// runs at once, in this commit (``EscalationPlanner/escalateNow(_:toStep:now:)``). An
    /// acknowledged incident is triggered again first, and the timeline says so. Audited.
    public func escalateNow(
        id: Int64, toStep: Int?, by actor: Actor, note: String?, now: Date, configuration: TocsinConfiguration
    ) async throws(StoreError) -> IncidentCommandResult {
        try await write { db in
            var incident = try Self.incident(id: id, in: db)
            guard incident.state != .resolved else {
                throw StoreError.conflict("incident #\(id) is resolved: there is nothing to escalate")
            }
            try Self.withdrawPreparedSteps(ofIncident: id, now: now, in: db)
            let moved = try ByHand.escalations(try Self.liveEscalations(ofIncident: id, in: db), of: id, toStep: toStep, now: now)
            if incident.state == .acknowledged {
                var retriggered: TimelineEvent
                (incident, retriggered) = ByHand.retriggered(incident, by: actor, now: now)
                try incident.update(db)
                StoreMetrics.afterCommit(of: db) { StoreMetrics.transition(to: .triggered) }
                try retriggered.insertRow(db)
            }
            try Self.saveTimers(moved, in: db)
            var (event, audit) = ByHand.escalatedRecords(moved, of: id, by: actor, note: note, now: now)
            try event.insertRow(db)
            try Self.audit(audit, in: db)
            _ = try Self.runDueEscalations(ofIncident: id, now: now, configuration: configuration, in: db)
            return IncidentCommandResult(incident: try Self.incident(id: id, in: db), changed: true)
        }
    }
}
