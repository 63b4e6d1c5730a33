import Foundation
import GRDB
import TocsinCore

/// What one pass of the escalator did.
public struct EscalationTick: Sendable, Equatable {
    /// Escalations looked at.
    public var processed = 0
    /// Notifications written to the outbox.
    public var queued = 0
    /// For each step run: milliseconds between its due time and the run.
    public var latenessMs: [Int] = []
}

extension TocsinStore {
    /// Runs every escalation due at `now` (at most `limit` per transaction, repeating until none
    /// is due): each step's notifications, timeline event and advanced timer commit together.
    public func runDueEscalations(now: Date, limit: Int = 500) async throws(StoreError) -> EscalationTick {
        var total = EscalationTick()
        while true {
            let tick = try await write { db in try Self.runDueEscalations(now: now, limit: limit, in: db) }
            total.processed += tick.processed
            total.queued += tick.queued
            total.latenessMs += tick.latenessMs
            if tick.processed < limit { return total }
        }
    }

    /// The earliest time any escalation falls due, if any.
    public func nextEscalationDue() async throws(StoreError) -> Date? {
        try await read { db in
            try Date.fetchOne(db, sql: "SELECT MIN(next_due_at) FROM escalations WHERE next_due_at IS NOT NULL")
        }
    }

    /// The notifications of one incident, oldest first.
    public func notifications(incidentID: Int64) async throws(StoreError) -> [OutboxEntry] {
        try await read { db in
            try OutboxEntry.filter(Column("incident_id") == incidentID).order(Column("id")).fetchAll(db)
        }
    }

    static func runDueEscalations(now: Date, limit: Int, in db: Database) throws -> EscalationTick {
        var tick = EscalationTick()
        let due = try Escalation
            .filter(Column("next_due_at") != nil && Column("next_due_at") <= now)
            .order(Column("next_due_at"), Column("id"))
            .limit(limit)
            .fetchAll(db)
        var incidents: [Int64: Incident] = [:]
        for escalation in due {
            tick.processed += 1
            guard var incident = try incidents[escalation.incidentID] ?? Incident.fetchOne(db, key: escalation.incidentID)
            else { continue }
            let outcome = EscalationPlanner.advance(escalation, incident: incident, now: now)
            var updated = outcome.escalation
            try updated.update(db)
            for var event in outcome.events {
                event.incidentID = escalation.incidentID
                try event.insert(db)
                if event.kind == .notified, let lateness = event.latenessMs { tick.latenessMs.append(lateness) }
            }
            tick.queued += try enqueue(outcome.notifications, now: now, in: db)
            if outcome.acknowledgementExpired {
                incident.state = .triggered
                incident.acknowledgedAt = nil
                incident.acknowledgedBy = nil
                try incident.update(db)
                try restartEscalations(of: escalation.incidentID, except: escalation.id, now: now, in: db)
            }
            incidents[escalation.incidentID] = incident
        }
        return tick
    }

    /// Writes notifications to the outbox; a key already there is skipped (never queued twice).
    @discardableResult
    static func enqueue(_ drafts: [NotificationDraft], now: Date, in db: Database) throws -> Int {
        var written = 0
        for draft in drafts {
            var entry = OutboxEntry(draft, now: now)
            try entry.insert(db, onConflict: .ignore)
            written += db.changesCount
        }
        return written
    }

    /// Restarts every escalation of the incident from its first step (new alert after an ack, or
    /// an expired acknowledgement).
    static func restartEscalations(of incidentID: Int64, except skipped: Int64? = nil, now: Date, in db: Database) throws {
        for escalation in try Escalation.filter(Column("incident_id") == incidentID).fetchAll(db) where escalation.id != skipped {
            var restarted = EscalationPlanner.restart(escalation, now: now)
            try restarted.update(db)
        }
    }

    /// After an acknowledgement or a resolve: pauses or stops escalation, cancels notifications
    /// not yet sent, and tells everyone already paged.
    static func finishEscalations(
        of incident: Incident, event: NotificationEvent, actor: String, note: String?, now: Date, in db: Database
    ) throws {
        guard let id = incident.id else { return }
        var epoch = 0
        for escalation in try Escalation.filter(Column("incident_id") == id).fetchAll(db) {
            var changed = event == .resolved ? EscalationPlanner.stop(escalation) : EscalationPlanner.acknowledge(escalation, now: now)
            try changed.update(db)
            epoch = max(epoch, escalation.epoch)
        }
        // Everyone the escalation decided to notify (before unsent pages are cancelled: a page
        // being delivered may still reach them) hears that the incident was handled.
        let recipients = try Row.fetchAll(
            db,
            sql: """
                SELECT target, medium, address FROM outbox
                WHERE incident_id = ? AND event IN ('triggered', 'escalated', 'reminder') AND state != 'cancelled'
                GROUP BY medium, address ORDER BY MIN(id)
                """,
            arguments: [id]
        ).compactMap { row -> (target: String, contact: Contact)? in
            let medium: String = row["medium"]
            let address: String = row["address"]
            let contact: Contact = medium == "email" ? .email(address) : .webhook(address)
            return (row["target"], contact)
        }
        try db.execute(
            sql: """
                UPDATE outbox SET state = 'cancelled', updated_at = ?, last_error = ?
                WHERE incident_id = ? AND state IN ('pending', 'retry') AND event IN ('triggered', 'escalated', 'reminder')
                """,
            arguments: [now, "cancelled: incident \(event.rawValue) by \(actor)", id])
        let notices = EscalationPlanner.notices(event, incident: incident, recipients: recipients, actor: actor, note: note, epoch: epoch)
        try enqueue(notices, now: now, in: db)
    }
}
