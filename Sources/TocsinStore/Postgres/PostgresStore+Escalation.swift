import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// What happens when an incident escalates, on PostgreSQL: the same decisions
// (``EscalationPlanner``) as SQLite's store (`TocsinStore+Escalation.swift`), with the locking
// that lets several instances share the work. Every transaction that changes an incident's
// escalations holds the incident's row; the escalator skips incidents another instance holds
// (`FOR UPDATE … SKIP LOCKED`), so each step is planned once however many instances run. A pass
// and a change to who is on call wait for each other (``OnCallChangeLock``), so no step stays
// prepared for a person an override replaced.

extension PostgresStore {
    public func runDueEscalations(
        now: Date, preparingUntil horizon: Date? = nil, limit: Int = 500, configuration: TocsinConfiguration = TocsinConfiguration()
    ) async throws(StoreError) -> EscalationTick {
        try await work { work in
            try await work.runDueEscalations(now: now, horizon: max(horizon ?? now, now), limit: limit, configuration: configuration)
        }
    }

    public func nextEscalationDue(preparingAhead lead: TimeInterval = 0) async throws(StoreError) -> Date? {
        let lead = max(lead, 0)
        return try await reading { connection, logger in
            // The earliest timer, and the earliest of a triggered incident (prepared `lead` ahead).
            let rows = try await connection.query(
                """
                SELECT min(e.next_due_at), min(e.next_due_at) FILTER (WHERE i.state = 'triggered')
                FROM escalations AS e JOIN incidents AS i ON i.id = e.incident_id WHERE e.next_due_at IS NOT NULL
                """, logger: logger)
            var earliest: Date?
            for try await (any, triggered) in rows.decode((Date?, Date?).self) {
                let candidates = [any, triggered.map { $0.addingTimeInterval(-lead) }].compactMap { $0?.storedPrecision }
                earliest = candidates.min()
            }
            return earliest
        }
    }

    public func notifications(incidentID: Int64) async throws(StoreError) -> [OutboxEntry] {
        try await work { work in
            try await work.rows(of: "outbox", "WHERE t.incident_id = $1 ORDER BY t.id", Self.binding(incidentID)).map(OutboxEntry.init(row:))
        }
    }
}

extension PostgresWork {
    func runDueEscalations(now: Date, horizon: Date, limit: Int, configuration: TocsinConfiguration) async throws -> EscalationTick {
        // Before anything is read: a change to who is on call waits for this pass, or this pass for it.
        try await query(OnCallChangeLock.pass)
        let due = try await dueEscalations(now: now, horizon: horizon, limit: limit)
        guard !due.isEmpty else { return EscalationTick() }
        return try await advance(due, now: now, horizon: horizon, onCall: try await onCallDirectory(configuration, now: now))
    }

    /// The escalations due at `now`, and those of triggered incidents due by `horizon`, oldest due
    /// first, their incidents locked for this transaction. An incident another transaction holds
    /// (another instance's pass, an acknowledgement, an ingest) is skipped: the next pass sees it as
    /// that transaction left it. The escalations are locked too: a row another pass advanced and
    /// committed while this one read is checked again as committed (PostgreSQL re-reads a row it
    /// locks), so a step that pass ran is not run a second time from the older reading.
    func dueEscalations(now: Date, horizon: Date, limit: Int) async throws -> [Escalation] {
        var bindings = PostgresBindings()
        bindings.append(now.moment)
        bindings.append(horizon.moment)
        bindings.append(limit)
        return try await rows(
            of: "escalations",
            """
            JOIN incidents AS i ON i.id = t.incident_id
            WHERE t.next_due_at IS NOT NULL AND t.next_due_at <= $2 AND (t.next_due_at <= $1 OR i.state = 'triggered')
            ORDER BY t.next_due_at, t.id LIMIT $3
            FOR UPDATE OF t, i SKIP LOCKED
            """, bindings
        ).map(Escalation.init(row:))
    }

    /// Runs the escalations of `escalations` that are due at `now` (their incident locked by the caller).
    func advanceDue(
        _ escalations: [Escalation], of incident: Incident? = nil, now: Date, configuration: TocsinConfiguration
    ) async throws -> EscalationTick {
        let due = escalations.filter { $0.nextDueAt.map { $0 <= now } ?? false }
        guard !due.isEmpty else { return EscalationTick() }
        var known: [Int64: Incident] = [:]
        if let incident, let id = incident.id { known[id] = incident }
        return try await advance(due, now: now, onCall: try await onCallDirectory(configuration, now: now), known: known)
    }

    /// Runs whatever is due now for one incident (a re-triggered incident's restarted chain).
    func runDueEscalations(ofIncident id: Int64, now: Date, configuration: TocsinConfiguration) async throws -> EscalationTick {
        try await advanceDue(try await rows(of: "escalations", "WHERE t.incident_id = $1", PostgresStore.binding(id)).map(Escalation.init(row:)),
                             now: now, configuration: configuration)
    }

    /// Plans and applies each escalation in `due`, as SQLite's store does
    /// (``TocsinStore/advance(_:now:horizon:onCall:known:in:)``).
    func advance(
        _ due: [Escalation], now: Date, horizon: Date? = nil, onCall: OnCallDirectory, known: [Int64: Incident] = [:]
    ) async throws -> EscalationTick {
        var incidents = known
        let unknown = Set(due.map(\.incidentID)).subtracting(known.keys)
        if !unknown.isEmpty {
            for values in try await values(of: "incidents", "WHERE t.id = ANY($1)", PostgresStore.binding(Array(unknown))) {
                let incident = try Incident(stored: values)
                if let id = incident.id { incidents[id] = incident }
            }
        }
        var pass = EscalationPass(now: now, horizon: horizon, onCall: onCall, incidents: incidents)
        for escalation in due {
            guard let retriggered = pass.plan(escalation) else { continue }
            try await saveTimers(pass.takeTimers())
            try await save(retriggered)
            try await restartEscalations(of: escalation.incidentID, except: escalation.id, now: now)
        }
        try await saveTimers(pass.takeTimers())
        try await insert(pass.events)
        var tick = pass.tick
        tick.queued += try await enqueue(pass.notifications, now: now)
        afterCommit.append(pass.metricsAfterCommit)
        return tick
    }

    /// Writes every column of a stored incident.
    func save(_ incident: Incident) async throws {
        guard let id = incident.id else { throw StoreError.database("cannot update an incident that was never stored") }
        try await update("incidents", id: id, columns: Array(Incident.storedColumnNames.dropFirst()), values: Array(incident.storedValues.dropFirst()))
    }

    /// Saves the escalations' progress, all in one statement (a pass may move thousands of timers:
    /// one round trip, not one each). Times travel as milliseconds since 1970, exact.
    func saveTimers(_ escalations: [Escalation]) async throws {
        if !escalations.isEmpty { try await announceWork() }
        var index: [Int64: Int] = [:]
        var ids: [Int64] = [], epochs: [Int64] = [], started: [Int64] = [], positions: [Int64] = []
        var hasDue: [Bool] = [], due: [Int64] = []
        for escalation in escalations {
            guard let id = escalation.id else { continue }
            let values = (
                Int64(escalation.epoch), escalation.startedAt.moment.milliseconds, Int64(escalation.position),
                escalation.nextDueAt != nil, escalation.nextDueAt?.moment.milliseconds ?? 0)
            if let known = index[id] {  // planned twice in one pass: the later plan stands
                (epochs[known], started[known], positions[known], hasDue[known], due[known]) = values
                continue
            }
            index[id] = ids.count
            ids.append(id)
            epochs.append(values.0)
            started.append(values.1)
            positions.append(values.2)
            hasDue.append(values.3)
            due.append(values.4)
        }
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            UPDATE escalations AS e
            SET epoch = v.epoch, started_at = TIMESTAMPTZ 'epoch' + v.started_ms * INTERVAL '1 millisecond', position = v.position,
                next_due_at = CASE WHEN v.has_due THEN TIMESTAMPTZ 'epoch' + v.due_ms * INTERVAL '1 millisecond' END
            FROM unnest(\(ids)::bigint[], \(epochs)::bigint[], \(started)::bigint[], \(positions)::bigint[], \(hasDue)::boolean[],
                        \(due)::bigint[]) AS v(id, epoch, started_ms, position, has_due, due_ms)
            WHERE e.id = v.id
            """, logger: logger)
    }

    /// Appends timeline events; `prepared` marks the events of steps prepared ahead of their due time.
    func insert(_ events: [(incidentID: Int64, event: TimelineEvent, prepared: Bool)]) async throws {
        let rows = events.map { incidentID, event, prepared in
            var values: [(any DatabaseValueConvertible)?] = []
            event.appendStoredValues(incidentID: incidentID, prepared: prepared, to: &values)
            return values
        }
        try await insert(into: "timeline_events", columns: TimelineEvent.storedColumnNames, rows: rows)
    }

    /// Writes notifications to the outbox; a key already there is skipped (a notification is never
    /// queued twice). Returns how many were written.
    @discardableResult
    func enqueue(_ drafts: [NotificationDraft], now: Date) async throws -> Int {
        guard !drafts.isEmpty else { return 0 }
        let ids = Array(Set(drafts.map(\.incidentID)))
        var correlation: [Int64: String] = [:]
        for row in try await query("SELECT id, correlation_id FROM incidents WHERE id = ANY($1)", PostgresStore.binding(ids)) {
            let (id, value) = try row.decode((Int64, String?).self)
            correlation[id] = value
        }
        let stamp = StoredDate.text(now)
        let rows = drafts.map { draft -> [(any DatabaseValueConvertible)?] in
            let stepDue = draft.notBefore ?? now
            let due = draft.delay > 0 ? StoredDate.text(stepDue.addingTimeInterval(draft.delay)) : draft.notBefore.map(StoredDate.text) ?? stamp
            return [
                draft.incidentID, draft.idempotencyKey, draft.event.rawValue, draft.target, draft.contact.medium,
                draft.contact.address, draft.urgent, draft.subject, draft.body, draft.step, OutboxEntry.State.pending.rawValue, 0, stamp,
                due, stamp, correlation[draft.incidentID] ?? nil,
                DeliveryDestination.of(medium: draft.contact.medium, address: draft.contact.address),
                draft.delay > 0 ? StoredDate.text(stepDue) : nil,
            ]
        }
        let written = try await insert(
            into: "outbox",
            columns: [
                "incident_id", "idempotency_key", "event", "target", "medium", "address", "urgent", "subject", "body", "step", "state",
                "attempts", "created_at", "due_at", "updated_at", "correlation_id", "destination", "step_due_at",
            ],
            rows: rows, suffix: "ON CONFLICT (idempotency_key) DO NOTHING")
        if !written.isEmpty { try await announceWork() }
        return written.count
    }

    /// The incident's escalations that a reassignment has not stopped for good, oldest first.
    func liveEscalations(ofIncident id: Int64) async throws -> [Escalation] {
        try await rows(of: "escalations", "WHERE t.incident_id = $1 AND t.stopped_at IS NULL ORDER BY t.id", PostgresStore.binding(id))
            .map(Escalation.init(row:))
    }

    /// Restarts every escalation of the incident from its first step.
    func restartEscalations(of incidentID: Int64, except skipped: Int64? = nil, now: Date) async throws {
        for escalation in try await liveEscalations(ofIncident: incidentID) where escalation.id != skipped {
            try await saveTimers([EscalationPlanner.restart(escalation, now: now)])
        }
    }

    /// After an acknowledgement or a resolve: takes back steps prepared ahead, pauses or stops
    /// escalation, cancels notifications not yet sent, and tells everyone already paged.
    func finishEscalations(of incident: Incident, event: NotificationEvent, actor: String, note: String?, now: Date) async throws {
        guard let id = incident.id else { return }
        let withdrew = try await deletePreparedSteps(ofIncident: id, now: now)
        var epoch = 0
        for escalation in try await liveEscalations(ofIncident: id) {
            let current = withdrew ? EscalationPlanner.withdrawPrepared(escalation, now: now) : escalation
            let changed = event == .resolved ? EscalationPlanner.stop(current) : EscalationPlanner.acknowledge(current, now: now)
            try await saveTimers([changed])
            epoch = max(epoch, escalation.epoch)
        }
        let recipients = try await noticeRecipients(ofIncident: id, now: now)
        try await cancelUnsentPages(ofIncident: id, reason: "cancelled: incident \(event.rawValue) by \(actor)", now: now)
        let notices = EscalationPlanner.notices(event, incident: incident, recipients: recipients, actor: actor, note: note, epoch: epoch)
        try await enqueue(notices, now: now)
    }

    /// Everyone a page of the incident was queued for (``EscalationPlanner/noticeRecipients(of:)``).
    func noticeRecipients(ofIncident id: Int64, now: Date) async throws -> [(target: String, contact: Contact)] {
        let rows = try await connection.query(
            """
            SELECT target, medium, address, event, state, (step_due_at IS NULL OR due_at <= \(now.moment))
            FROM outbox WHERE incident_id = \(id) ORDER BY id
            """, logger: logger)
        var queued: [EscalationPlanner.Queued] = []
        for try await (target, medium, address, event, state, due) in rows.decode((String, String, String, String, String, Bool).self) {
            guard let medium = Medium(rawValue: medium), let event = NotificationEvent(rawValue: event),
                let state = OutboxEntry.State(rawValue: state)
            else { throw StoreError.database("malformed notification of incident \(id)") }
            queued.append((target, Contact(medium: medium, address: address), event, state, due))
        }
        return EscalationPlanner.noticeRecipients(of: queued)
    }

    /// Cancels the incident's pages not sent yet (see ``TocsinStore/cancelUnsentPages(ofIncident:reason:now:in:)``).
    func cancelUnsentPages(ofIncident id: Int64, reason: String, now: Date) async throws {
        let pages = NotificationEvent.pages.map(\.rawValue)
        let waiting = OutboxEntry.State.awaitingDelivery.map(\.rawValue)
        try await connection.query(
            """
            UPDATE outbox SET state = 'cancelled', updated_at = \(now.moment), last_error = \(reason)
            WHERE incident_id = \(id) AND state = ANY(\(waiting)) AND event = ANY(\(pages))
            """, logger: logger)
        try await connection.query(
            "UPDATE outbox SET cancel_reason = \(reason) WHERE incident_id = \(id) AND state = 'sending' AND event = ANY(\(pages))",
            logger: logger)
    }

    /// Deletes the events and unsent pages of the incident's steps prepared ahead of `now` that
    /// have not fallen due; returns whether there were any.
    func deletePreparedSteps(ofIncident id: Int64, now: Date) async throws -> Bool {
        let deleted = try await query(
            "DELETE FROM timeline_events WHERE incident_id = $1 AND prepared AND at > $2 RETURNING id", bindings(id, now.moment))
        guard !deleted.isEmpty else { return false }
        let pages = NotificationEvent.pages.map(\.rawValue)
        try await connection.query(
            """
            DELETE FROM outbox WHERE incident_id = \(id) AND state = 'pending' AND attempts = 0
              AND COALESCE(step_due_at, due_at) > \(now.moment) AND COALESCE(step_due_at, due_at) > created_at
              AND event = ANY(\(pages))
            """, logger: logger)
        return true
    }

    /// What `oncall:` targets resolve against at `now`.
    func onCallDirectory(_ configuration: TocsinConfiguration, now: Date) async throws -> OnCallDirectory {
        guard !configuration.schedules.isEmpty else { return OnCallDirectory() }
        let overrides = try await rows(
            of: "schedule_overrides", "WHERE t.ends_at > $1 ORDER BY t.starts_at, t.id", PostgresStore.binding(now.moment)
        ).map(StoredOverride.init(row:))
        return OnCallDirectory(configuration: configuration, overrides: overrides.map(\.override))
    }

    /// Bindings holding `first` and `second`, as `$1` and `$2`.
    func bindings(_ first: some PostgresNonThrowingEncodable & Sendable, _ second: some PostgresNonThrowingEncodable & Sendable)
        -> PostgresBindings
    {
        var bindings = PostgresBindings()
        bindings.append(first)
        bindings.append(second)
        return bindings
    }
}
