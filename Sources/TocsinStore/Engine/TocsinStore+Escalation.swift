import Foundation
import GRDB
import TocsinCore

/// What one pass of the escalator did.
public struct EscalationTick: Sendable, Equatable {
    /// Escalations looked at.
    public var processed = 0
    /// Notifications written to the outbox.
    public var queued = 0
    /// For each step run: milliseconds between its due time and the run. A step prepared ahead
    /// counts once its commit is known (``recordPreparedSteps(committedAt:)``).
    public var latenessMs: [Int] = []
    /// The due times of the steps prepared ahead in this pass.
    public var preparedDueTimes: [Date] = []

    public init() {}

    /// Records the lateness of the steps prepared ahead, now that their transaction committed at
    /// `committedAt`: 0 when it committed before the due time, as it should.
    public mutating func recordPreparedSteps(committedAt: Date) {
        for due in preparedDueTimes {
            let lateness = max(0, Int((committedAt.timeIntervalSince(due) * 1000).rounded()))
            latenessMs.append(lateness)
            StoreMetrics.stepRan(latenessMs: lateness)
        }
        preparedDueTimes.removeAll()
    }
}

extension TocsinStore {
    /// Runs up to `limit` escalations due at `now`, oldest due first, in one transaction: each
    /// step's notifications, timeline event and advanced timer commit together. Call again while
    /// `processed == limit`.
    ///
    /// With a `horizon` after `now`, steps of triggered incidents falling due by then are prepared
    /// now, as of their due time: their notifications wait in the outbox until it comes
    /// (``EscalationPlanner/advance(_:incident:now:preparingUntil:onCall:)``).
    /// `oncall:` targets resolve against `configuration`'s schedules and people and the stored overrides.
    public func runDueEscalations(
        now: Date, preparingUntil horizon: Date? = nil, limit: Int = 500,
        configuration: TocsinConfiguration = TocsinConfiguration()
    ) async throws(StoreError) -> EscalationTick {
        try await write { db in
            try Self.runDueEscalations(
                now: now, horizon: max(horizon ?? now, now), limit: limit, configuration: configuration, in: db)
        }
    }

    /// When the escalator must look again: the earliest due time, or, for a step of a triggered
    /// incident, `lead` before it (the step is prepared that long ahead). Nil when nothing is due.
    ///
    /// Timers are read in due order and the reading stops as soon as no later one can come sooner
    /// (one `lead` past the earliest), so the cost does not grow with the number of open
    /// incidents: asking for the first timer of an acknowledged incident had read every timer of
    /// the triggered ones, at every wake of the escalator.
    public func nextEscalationDue(preparingAhead lead: TimeInterval = 0) async throws(StoreError) -> Date? {
        let lead = max(lead, 0)
        return try await read { db in
            let timers = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT e.next_due_at, i.state = \(IncidentState.triggered.sql) FROM escalations AS e INDEXED BY escalations_due
                        JOIN incidents AS i ON i.id = e.incident_id
                        WHERE e.next_due_at IS NOT NULL ORDER BY e.next_due_at
                        """))
            var earliest: Date?
            while let timer = try timers.next() {
                guard let due = Date.fromDatabaseValue(timer[0]) else { continue }
                if let earliest, due.addingTimeInterval(-lead) >= earliest { break }
                let look = timer[1] as Bool ? due.addingTimeInterval(-lead) : due
                earliest = min(earliest ?? look, look)
            }
            return earliest
        }
    }

    /// Takes back every step prepared ahead of `now` (the schedules that `oncall:` targets resolve
    /// against were reloaded): the escalator prepares them again on its next pass.
    public func withdrawPreparedSteps(now: Date) async throws(StoreError) {
        try await write { db in try Self.withdrawAllPreparedSteps(now: now, in: db) }
    }

    /// The notifications of one incident, oldest first.
    public func notifications(incidentID: Int64) async throws(StoreError) -> [OutboxEntry] {
        try await read { db in
            try OutboxEntry.filter(OutboxEntry.Columns.incidentID == incidentID).order(OutboxEntry.Columns.id).fetchAll(db)
        }
    }

    static func runDueEscalations(
        now: Date, horizon: Date, limit: Int, configuration: TocsinConfiguration, in db: Database
    ) throws -> EscalationTick {
        let due = try dueEscalations(now: now, horizon: horizon, limit: limit, in: db)
        guard !due.isEmpty else { return EscalationTick() }
        return try advance(
            due, now: now, horizon: horizon, onCall: try onCallDirectory(configuration, now: now, in: db), in: db)
    }

    /// Runs, inside the caller's transaction, whatever is due now for one incident (a re-triggered
    /// incident's restarted chain goes out with the commit that re-triggered it).
    static func runDueEscalations(
        ofIncident incidentID: Int64, now: Date, configuration: TocsinConfiguration, in db: Database
    ) throws -> EscalationTick {
        try advanceDue(
            Escalation.filter(Escalation.Columns.incidentID == incidentID).fetchAll(db), now: now, configuration: configuration, in: db)
    }

    /// Runs, inside the caller's transaction, the escalations of `escalations` that are due at `now`.
    /// `incident`, when given, is the escalations' incident as the caller just wrote it (not read again).
    static func advanceDue(
        _ escalations: [Escalation], of incident: Incident? = nil, now: Date, configuration: TocsinConfiguration, in db: Database
    ) throws -> EscalationTick {
        let due = escalations.filter { $0.nextDueAt.map { $0 <= now } ?? false }
        guard !due.isEmpty else { return EscalationTick() }
        var known: [Int64: Incident] = [:]
        if let incident, let id = incident.id { known[id] = incident }
        return try advance(due, now: now, onCall: try onCallDirectory(configuration, now: now, in: db), known: known, in: db)
    }

    /// Plans and applies each escalation in `due` (``EscalationPass``): timer, events,
    /// notifications, and the incident's return to `triggered` when an acknowledgement expired.
    /// Incidents in `known` are taken as they are; the others are read.
    static func advance(
        _ due: [Escalation], now: Date, horizon: Date? = nil, onCall: OnCallDirectory, known: [Int64: Incident] = [:],
        in db: Database
    ) throws -> EscalationTick {
        var incidents = known
        let unknown = Set(due.map(\.incidentID)).subtracting(known.keys)
        if !unknown.isEmpty {
            incidents.merge(try incidentsForPlanning(unknown, in: db)) { _, read in read }
        }
        var pass = EscalationPass(now: now, horizon: horizon, onCall: onCall, incidents: incidents)
        for escalation in due {
            guard let retriggered = pass.plan(escalation) else { continue }
            // Written now: the restart must see this escalation's own timer, too.
            try saveTimers(pass.takeTimers(), in: db)
            try retriggered.updateAllColumns(db)
            try restartEscalations(of: escalation.incidentID, except: escalation.id, now: now, in: db)
        }
        try saveTimers(pass.takeTimers(), in: db)
        try insert(pass.events, in: db)
        var tick = pass.tick
        tick.queued += try enqueue(pass.notifications, now: now, in: db)
        StoreMetrics.afterCommit(of: db, pass.metricsAfterCommit)
        return tick
    }

    /// The escalations due at `now`, and those of triggered incidents due by `horizon`, oldest due
    /// first. Snapshots shared by many incidents (the usual case: one policy, many incidents) are
    /// decoded once per pass.
    static func dueEscalations(now: Date, horizon: Date, limit: Int, in db: Database) throws -> [Escalation] {
        var snapshots: [String: PolicySnapshot] = [:]
        let decoder = JSONDecoder()
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT e.id, e.incident_id, e.snapshot, e.epoch, e.started_at, e.position, e.next_due_at
                FROM escalations AS e
                WHERE e.next_due_at IS NOT NULL AND e.next_due_at <= ?2
                  AND (e.next_due_at <= ?1 OR (SELECT state FROM incidents WHERE id = e.incident_id) = \(IncidentState.triggered.sql))
                ORDER BY e.next_due_at, e.id LIMIT ?3
                """,
            arguments: [StoredDate.text(now), StoredDate.text(horizon), limit])
        var due: [Escalation] = []
        while let row = try rows.next() {
            let text: String = row["snapshot"]
            let snapshot: PolicySnapshot
            if let cached = snapshots[text] {
                snapshot = cached
            } else {
                snapshot = try decoder.decode(PolicySnapshot.self, from: Data(text.utf8))
                snapshots[text] = snapshot
            }
            guard let startedAt = StoredDate.parse(row["started_at"]) else {
                throw StoreError.database("malformed started_at in escalation \(row["id"] as Int64)")
            }
            due.append(Escalation(
                id: row["id"], incidentID: row["incident_id"], snapshot: snapshot, epoch: row["epoch"],
                startedAt: startedAt, position: row["position"], nextDueAt: StoredDate.parse(row["next_due_at"])))
        }
        return due
    }

    /// The incidents the planner needs, by id, read column by column (`Incident(row:)`).
    static func incidentsForPlanning(_ ids: Set<Int64>, in db: Database) throws -> [Int64: Incident] {
        var incidents: [Int64: Incident] = [:]
        let rows = try Row.fetchCursor(
            try db.cachedStatement(sql: "SELECT \(Incident.selection) FROM incidents WHERE id IN (SELECT value FROM json_each(?))"),
            arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"])
        while let row = try rows.next() {
            let incident = try Incident(row: row)
            incidents[row[Incident.StoredColumn.id.rawValue]] = incident
        }
        return incidents
    }

    /// Saves many escalations' progress with one statement per 200, and a single one with a plain
    /// `UPDATE … WHERE id = ?`: SQLite writes a statement journal for an `UPDATE … FROM` that may
    /// change several rows, which cost a new incident's first step more than the rest of its timer.
    static func saveTimers(_ escalations: [Escalation], in db: Database) throws {
        if escalations.count == 1, let escalation = escalations.first {
            try db.cachedStatement(
                sql: "UPDATE escalations SET epoch = ?, started_at = ?, position = ?, next_due_at = ? WHERE id = ?"
            ).execute(arguments: [
                escalation.epoch, StoredDate.text(escalation.startedAt), escalation.position,
                escalation.nextDueAt.map(StoredDate.text), escalation.id,
            ])
            return
        }
        try forEachBatch(escalations, columns: 5) { batch, placeholders in
            let values = Array(repeating: "(?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", ")
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(batch.count * 5)
            for escalation in batch {
                arguments += [
                    escalation.id, escalation.epoch, StoredDate.text(escalation.startedAt), escalation.position,
                    escalation.nextDueAt.map(StoredDate.text),
                ]
            }
            try db.cachedStatement(
                sql: """
                    UPDATE escalations SET epoch = v.column2, started_at = v.column3, position = v.column4, next_due_at = v.column5
                    FROM (VALUES \(values)) AS v WHERE escalations.id = v.column1
                    """
            ).execute(arguments: StatementArguments(arguments))
        }
    }

    /// Appends timeline events, with one statement per 200; `prepared` marks the events of steps
    /// prepared ahead of their due time.
    static func insert(_ events: [(incidentID: Int64, event: TimelineEvent, prepared: Bool)], in db: Database) throws {
        let names = TimelineEvent.storedColumnNames
        let row = "(" + Array(repeating: "?", count: names.count).joined(separator: ", ") + ")"
        try forEachBatch(events, columns: names.count) { batch, _ in
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(batch.count * names.count)
            for (incidentID, event, prepared) in batch {
                event.appendStoredValues(incidentID: incidentID, prepared: prepared, to: &arguments)
            }
            try db.cachedStatement(
                sql: "INSERT INTO timeline_events (" + names.joined(separator: ", ") + ") VALUES "
                    + Array(repeating: row, count: batch.count).joined(separator: ", ")
            ).execute(arguments: StatementArguments(arguments))
        }
    }

    /// Calls `body` with consecutive slices of at most 200 items (200 rows × a few columns stays
    /// well under SQLite's limit on bound parameters).
    static func forEachBatch<T>(_ items: [T], columns: Int, _ body: (ArraySlice<T>, Int) throws -> Void) throws {
        var start = 0
        while start < items.count {
            let end = min(start + 200, items.count)
            try body(items[start..<end], columns)
            start = end
        }
    }

    /// Writes notifications to the outbox, one statement per 200; a key already there is skipped
    /// (a notification is never queued twice). Returns how many were written.
    @discardableResult
    static func enqueue(_ drafts: [NotificationDraft], now: Date, in db: Database) throws -> Int {
        var written = 0
        let stamp = StoredDate.text(now)
        try forEachBatch(drafts, columns: 16) { batch, _ in
            let values = Array(
                repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(OutboxEntry.State.pending.sql), 0, ?, ?, ?, (SELECT correlation_id FROM incidents WHERE id = ?), ?, ?)",
                count: batch.count)
                .joined(separator: ", ")
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(batch.count * 16)
            for draft in batch {
                // A later notification rule is due its delay after its step; it keeps the step's
                // due time beside its own (see deletePreparedSteps).
                let stepDue = draft.notBefore ?? now
                let due = draft.delay > 0 ? StoredDate.text(stepDue.addingTimeInterval(draft.delay)) : draft.notBefore.map(StoredDate.text) ?? stamp
                arguments += [
                    draft.incidentID, draft.idempotencyKey, draft.event.rawValue, draft.target, draft.contact.medium,
                    draft.contact.address, draft.urgent, draft.subject, draft.body, draft.step, stamp,
                    due, stamp,
                    draft.incidentID, DeliveryDestination.of(medium: draft.contact.medium, address: draft.contact.address),
                    draft.delay > 0 ? StoredDate.text(stepDue) : nil,
                ]
            }
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO outbox (incident_id, idempotency_key, event, target, medium, address, urgent,
                                                  subject, body, step, state, attempts, created_at, due_at, updated_at,
                                                  correlation_id, destination, step_due_at)
                    VALUES \(values)
                    """
            ).execute(arguments: StatementArguments(arguments))
            written += db.changesCount
        }
        return written
    }

    /// Restarts every escalation of the incident from its first step (new alert after an ack, or
    /// an expired acknowledgement).
    static func restartEscalations(of incidentID: Int64, except skipped: Int64? = nil, now: Date, in db: Database) throws {
        for escalation in try liveEscalations(ofIncident: incidentID, in: db) where escalation.id != skipped {
            try saveTimers([EscalationPlanner.restart(escalation, now: now)], in: db)
        }
    }

    /// After an acknowledgement or a resolve: takes back steps prepared ahead but not yet due,
    /// pauses or stops escalation, cancels notifications not yet sent, and tells everyone already paged.
    static func finishEscalations(
        of incident: Incident, event: NotificationEvent, actor: String, note: String?, now: Date, in db: Database
    ) throws {
        guard let id = incident.id else { return }
        let withdrew = try deletePreparedSteps(ofIncident: id, now: now, in: db)
        var epoch = 0
        for escalation in try liveEscalations(ofIncident: id, in: db) {
            let current = withdrew ? EscalationPlanner.withdrawPrepared(escalation, now: now) : escalation
            let changed = event == .resolved ? EscalationPlanner.stop(current) : EscalationPlanner.acknowledge(current, now: now)
            try saveTimers([changed], in: db)
            epoch = max(epoch, escalation.epoch)
        }
        // Everyone the escalation decided to notify (before unsent pages are cancelled: a page
        // being delivered may still reach them) hears that the incident was handled.
        let recipients = try noticeRecipients(ofIncident: id, now: now, in: db)
        try cancelUnsentPages(ofIncident: id, reason: "cancelled: incident \(event.rawValue) by \(actor)", now: now, in: db)
        let notices = EscalationPlanner.notices(event, incident: incident, recipients: recipients, actor: actor, note: note, epoch: epoch)
        try enqueue(notices, now: now, in: db)
    }

    /// The incident's escalations that a reassignment has not stopped for good, oldest first.
    static func liveEscalations(ofIncident id: Int64, in db: Database) throws -> [Escalation] {
        try Escalation.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM escalations WHERE incident_id = ? AND stopped_at IS NULL ORDER BY id"), arguments: [id])
    }

    /// Everyone a page of the incident was queued for (``EscalationPlanner/noticeRecipients(of:)``),
    /// read from the few columns the decision needs, not the rendered bodies of every page.
    static func noticeRecipients(ofIncident id: Int64, now: Date, in db: Database) throws -> [(target: String, contact: Contact)] {
        let queued = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT target, medium, address, event, state, (step_due_at IS NULL OR due_at <= ?) AS due
                    FROM outbox WHERE incident_id = ? ORDER BY id
                    """),
            arguments: [StoredDate.text(now), id]
        ).map { row throws -> EscalationPlanner.Queued in
            guard let medium = Medium.fromDatabaseValue(row["medium"]), let event = NotificationEvent.fromDatabaseValue(row["event"]),
                let state = OutboxEntry.State.fromDatabaseValue(row["state"])
            else { throw StoreError.database("malformed notification of incident \(id)") }
            return (row["target"], Contact(medium: medium, address: row["address"]), event, state, row["due"])
        }
        return EscalationPlanner.noticeRecipients(of: queued)
    }

    /// Takes back the incident's steps prepared ahead of `now` that have not fallen due (see
    /// ``deletePreparedSteps(ofIncident:now:in:)``) and returns its escalations to those steps.
    static func withdrawPreparedSteps(ofIncident id: Int64, now: Date, in db: Database) throws {
        guard try deletePreparedSteps(ofIncident: id, now: now, in: db) else { return }
        for escalation in try Escalation.filter(Escalation.Columns.incidentID == id).fetchAll(db) {
            let withdrawn = EscalationPlanner.withdrawPrepared(escalation, now: now)
            if withdrawn != escalation {
                try saveTimers([withdrawn], in: db)
            }
        }
    }

    /// Deletes the timeline events (marked `prepared`) and the notifications (queued, never
    /// attempted, due later than they were queued) of the incident's steps prepared ahead of `now`
    /// that have not fallen due: as far as anyone can tell, those steps never ran. Returns whether
    /// there were any; the caller returns the escalations to those steps.
    static func deletePreparedSteps(ofIncident id: Int64, now: Date, in db: Database) throws -> Bool {
        let stamp = StoredDate.text(now)
        try db.execute(
            sql: "DELETE FROM timeline_events WHERE incident_id = ? AND prepared = 1 AND at > ?", arguments: [id, stamp])
        guard db.changesCount > 0 else { return false }
        try db.execute(
            sql: """
                DELETE FROM outbox WHERE incident_id = ? AND state = \(OutboxEntry.State.pending.sql) AND attempts = 0
                  AND COALESCE(step_due_at, due_at) > ? AND COALESCE(step_due_at, due_at) > created_at
                  AND event IN \(NotificationEvent.pages.sqlList)
                """,
            arguments: [id, stamp])
        return true
    }

    /// Takes back every step prepared ahead of `now` (an on-call override or a reload changed who
    /// a step reaches): the escalator prepares them again, with the change, on its next pass.
    static func withdrawAllPreparedSteps(now: Date, in db: Database) throws {
        let incidents = try Int64.fetchAll(
            db, sql: "SELECT DISTINCT incident_id FROM timeline_events WHERE prepared = 1 AND at > ?",
            arguments: [StoredDate.text(now)])
        for id in incidents {
            try withdrawPreparedSteps(ofIncident: id, now: now, in: db)
        }
    }
}
