import Foundation
import GRDB
import TocsinCore

/// One attempt at a notification that has finished (the receiver answered, or did not) and is
/// waiting to be recorded.
public struct CompletedAttempt: Sendable {
    /// The notification as it was claimed (its `attempts` counts this attempt).
    public var entry: OutboxEntry
    public var startedAt: Date
    public var finishedAt: Date
    /// The receiver's status (HTTP, or 250 for mail accepted), if it answered.
    public var statusCode: Int?
    /// The transport's error, if any.
    public var error: String?
    public var outcome: DeliveryPolicy.Outcome
    /// The body sent (kept from the first attempt on).
    public var rendered: String?

    public init(
        entry: OutboxEntry, startedAt: Date, finishedAt: Date, statusCode: Int?, error: String?,
        outcome: DeliveryPolicy.Outcome, rendered: String?
    ) {
        self.entry = entry
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.statusCode = statusCode
        self.error = error
        self.outcome = outcome
        self.rendered = rendered
    }

    /// The attempt as `delivery_attempts` keeps it: the outcome's name, and the reason (for a page
    /// sent, the transport's remark, if any).
    var recordedOutcome: (name: String, detail: String?) {
        switch outcome {
        case .sent: ("sent", error)
        case .retry(_, let reason): ("retry", reason)
        case .dead(let reason): ("dead", reason)
        }
    }
}

/// What a notification's first attempt renders from: its incident, the incident's alerts, its live
/// escalations (a page says who is next), and the drill run the incident belongs to, if any.
public struct RenderMaterial: Sendable {
    public var incident: Incident
    public var alerts: [IncidentAlert]
    public var escalations: [Escalation]
    public var drillRun: DrillRun?
}

/// What one turn of the dispatcher's loop got from the database: the notifications it claimed,
/// what their first attempts render from, and, when it claimed fewer than it asked for, when the
/// next one becomes ready.
public struct DeliveryTurn: Sendable {
    /// The notifications claimed, by lane: each lane goes to one destination, on one worker, in
    /// its order (``DestinationLimit``).
    public var lanes: [[OutboxEntry]]
    /// By incident id, for every claimed notification not rendered yet: read in the turn's
    /// transaction, so a page costs no read of its own.
    public var material: [Int64: RenderMaterial]
    /// The link-signing key as stored (nil when none is yet, or nothing claimed needs rendering).
    public var linkKey: [UInt8]?
    /// The next due time or lease expiry after the turn's `now` (nil: nothing queued). Work due
    /// already but not claimed waits for a delivery in flight to finish (its destination is at
    /// its limit, or an earlier notification to the same address is unfinished), and a finishing
    /// delivery wakes the loop anyway.
    public var nextDue: Date?

    /// Every notification claimed, lane after lane.
    public var claimed: [OutboxEntry] { lanes.flatMap { $0 } }
}

extension TocsinStore {
    /// One turn of delivery in one transaction: records the attempts that finished since the last
    /// turn, gives back the claims of notifications a lane did not start (``releaseClaims(_:now:)``),
    /// then claims up to `limit` lanes of notifications ready to go (``claimDueNotifications(now:limit:lease:destinationLimit:)``).
    ///
    /// Recording first means a notification that waited behind one just finished (same incident and
    /// address) can go in the same turn, and one commit covers every worker that finished: a burst
    /// of pages costs a transaction per turn, not two per page.
    public func deliveryTurn(
        recording completed: [CompletedAttempt], releasing released: [OutboxEntry] = [], now: Date, limit: Int,
        lease: TimeInterval, destinationLimit: DestinationLimit
    ) async throws(StoreError) -> DeliveryTurn {
        try await write { db in
            try Self.record(completed, in: db)
            try Self.release(released, now: now, in: db)
            let lanes = try Self.claimLanes(now: now, limit: limit, lease: lease, destinationLimit: destinationLimit, in: db)
            let claimed = lanes.flatMap { $0 }
            let nextDue = lanes.count < limit ? try Self.nextDeliveryDue(after: now, in: db) : nil
            var material: [Int64: RenderMaterial] = [:]
            // (A page whose material cannot be read here reads it itself, and fails alone.)
            for entry in claimed where entry.rendered == nil && material[entry.incidentID] == nil {
                material[entry.incidentID] = try? Self.renderMaterial(incidentID: entry.incidentID, in: db)
            }
            let linkKey = material.isEmpty ? nil : try? Self.storedLinkSigningKey(in: db)
            return DeliveryTurn(lanes: lanes, material: material, linkKey: linkKey, nextDue: nextDue)
        }
    }

    /// Claims up to `limit` notifications ready to go, oldest first, and marks them `sending`
    /// with an attempt counted and a lease of `lease` seconds.
    ///
    /// Ready means: pending, or retry whose time has come, or sending whose lease expired (the
    /// process delivering it died). A notification waits while an earlier one for the same
    /// incident and address is not finished, so each receiver sees an incident's notifications in order.
    public func claimDueNotifications(
        now: Date, limit: Int = 100, lease: TimeInterval = 60, destinationLimit: DestinationLimit? = nil
    ) async throws(StoreError) -> [OutboxEntry] {
        try await write { db in
            try Self.claimLanes(now: now, limit: limit, lease: lease, destinationLimit: destinationLimit, in: db).flatMap { $0 }
        }
    }

    /// Gives back claims that were never tried: the rest of a lane that stopped early (a page
    /// failed, the lane ran out of time, or the dispatcher stopped). Each notification returns to
    /// the queue as it was before its claim, its attempt uncounted, unless its incident's pages
    /// were cancelled meanwhile (it ends `cancelled`); a claim already taken over (a later claim)
    /// is left alone. `now` is when the rows changed.
    public func releaseClaims(_ entries: [OutboxEntry], now: Date) async throws(StoreError) {
        try await write { db in try Self.release(entries, now: now, in: db) }
    }

    /// Records finished attempts in one transaction (see ``record(_:in:)``).
    public func recordAttempts(_ attempts: [CompletedAttempt]) async throws(StoreError) {
        try await write { db in try Self.record(attempts, in: db) }
    }

    /// When the next notification becomes ready (a due time, or a lease that expires), if any;
    /// with `after`, only times later than it.
    ///
    /// Rows waiting behind an earlier one for the same incident and address are left out: their
    /// time comes when the earlier one finishes, which wakes the dispatcher anyway.
    public func nextDeliveryDue(after: Date? = nil) async throws(StoreError) -> Date? {
        try await read { db in try Self.nextDeliveryDue(after: after, in: db) }
    }

    /// What a first attempt at one of the incident's notifications renders from.
    public func renderMaterial(incidentID: Int64) async throws(StoreError) -> RenderMaterial {
        try await read { db in try Self.renderMaterial(incidentID: incidentID, in: db) }
    }

    // MARK: - Statements

    static func renderMaterial(incidentID: Int64, in db: Database) throws -> RenderMaterial {
        let incident = try incident(id: incidentID, in: db)
        let drillRun = try incident.drillRun.flatMap { try DrillRun.fetchOne(db, key: $0) }
        return RenderMaterial(
            incident: incident, alerts: try alerts(ofIncident: incidentID, in: db),
            escalations: try liveEscalations(ofIncident: incidentID, in: db), drillRun: drillRun)
    }

    /// Claims up to `limit` lanes (``DestinationLimit``; without one, each notification is a
    /// lane), oldest first.
    static func claimLanes(
        now: Date, limit: Int, lease: TimeInterval, destinationLimit: DestinationLimit?, in db: Database
    ) throws -> [[OutboxEntry]] {
        guard limit > 0 else { return [] }
        let stamp = StoredDate.text(now)
        // Pending and retrying notifications come in due order from their own index, so the claim
        // stops after `window`; claims whose lease expired are few. Only what the choice needs is
        // read; the rows chosen come back whole from their update. (A larger window, read so that
        // a claim could fill its workers with other destinations, cost more than the seeks by
        // destination below: a burst to one receiver at its limit read it whole at every turn.)
        let window = limit * (destinationLimit?.pagesPerLane ?? 1)
        // A claim whose pages were cancelled and whose lease ran out (its attempt or its give-back
        // could not be recorded) is not tried again: it ends here, so nothing waits behind it.
        try db.cachedStatement(
            sql: """
                UPDATE outbox SET state = \(OutboxEntry.State.cancelled.sql), last_error = cancel_reason, lease_until = NULL, updated_at = ?1
                WHERE state = \(OutboxEntry.State.sending.sql) AND lease_until <= ?1 AND cancel_reason IS NOT NULL
                """
        ).execute(arguments: [stamp])
        let ready = try ClaimCandidate.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT o.id, o.destination, o.due_at FROM outbox AS o INDEXED BY outbox_ready
                    WHERE o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.due_at <= ? AND \(Self.notBehindEarlier)
                    ORDER BY o.due_at, o.id LIMIT ?
                    """),
            arguments: [stamp, window])
        let expired = try ClaimCandidate.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT o.id, o.destination, o.due_at FROM outbox AS o
                    WHERE o.state = \(OutboxEntry.State.sending.sql) AND o.lease_until <= ? AND o.cancel_reason IS NULL
                      AND \(Self.notBehindEarlier)
                    ORDER BY o.due_at, o.id LIMIT ?
                    """),
            arguments: [stamp, window])
        var choice = LaneChoice(ready: ready, expired: expired, window: window, limit: limit, destinationLimit: destinationLimit)
        if let destinationLimit, choice.wantsMore {
            // The oldest are bound for destinations at their limit, and there is more: the others
            // are reached through the index by destination, not by reading the backlog.
            choice.add(try readyByDestination(now: stamp, destinationLimit: destinationLimit, windowCounts: choice.windowCounts, in: db))
        }
        let lanes = choice.lanes
        let chosen = lanes.flatMap { $0 }
        guard !chosen.isEmpty else { return [] }
        let claimed = try OutboxEntry.fetchAll(
            db.cachedStatement(
                sql: """
                    UPDATE outbox SET state = \(OutboxEntry.State.sending.sql), attempts = attempts + 1, updated_at = ?, lease_until = ?
                    WHERE id IN (\(Array(repeating: "?", count: chosen.count).joined(separator: ", "))) RETURNING *
                    """),
            arguments: StatementArguments([stamp, StoredDate.text(now.addingTimeInterval(lease))] + chosen.map(\.id)))
        let byID = Dictionary(claimed.compactMap { entry in entry.id.map { ($0, entry) } }, uniquingKeysWith: { first, _ in first })
        return lanes.map { lane in lane.compactMap { byID[$0.id] } }.filter { !$0.isEmpty }
    }

    static func release(_ entries: [OutboxEntry], now: Date, in db: Database) throws {
        let release = try db.cachedStatement(
            sql: """
                UPDATE outbox SET
                  state = \(Self.unlessCancelled(
                      "CASE WHEN attempts > 1 THEN \(OutboxEntry.State.retry.sql) ELSE \(OutboxEntry.State.pending.sql) END")),
                  attempts = attempts - 1, lease_until = NULL, last_error = COALESCE(cancel_reason, last_error), updated_at = ?
                WHERE id = ? AND state = \(OutboxEntry.State.sending.sql) AND attempts = ?
                """)
        let stamp = StoredDate.text(now)
        for entry in entries {
            guard let id = entry.id else { continue }
            try release.execute(arguments: [stamp, id, entry.attempts])
        }
    }

    /// For each destination with room (in name order, by seeks in `outbox_ready_by_destination`),
    /// its oldest notifications ready now: as many as it has room for, plus those of it already
    /// among the candidates (`windowCounts`), which the caller drops again.
    static func readyByDestination(
        now stamp: String, destinationLimit: DestinationLimit, windowCounts: [String: Int], in db: Database
    ) throws -> [ClaimCandidate] {
        let nextDestination = try db.cachedStatement(
            sql: """
                SELECT MIN(destination) FROM outbox INDEXED BY outbox_ready_by_destination
                WHERE state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND destination > ?
                """)
        let oldest = try db.cachedStatement(
            sql: """
                SELECT o.id, o.destination, o.due_at FROM outbox AS o INDEXED BY outbox_ready_by_destination
                WHERE o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.destination = ? AND o.due_at <= ?
                  AND \(Self.notBehindEarlier)
                ORDER BY o.due_at, o.id LIMIT ?
                """)
        var found: [ClaimCandidate] = []
        var after = ""
        while let destination = try String.fetchOne(nextDestination, arguments: [after]) {
            after = destination
            let room = destinationLimit.room(for: destination)
            guard room > 0 else { continue }
            found += try ClaimCandidate.fetchAll(oldest, arguments: [destination, stamp, room + windowCounts[destination, default: 0]])
        }
        return found
    }

    /// Records finished attempts: each one's row in `delivery_attempts`, and its notification moved
    /// on (sent, retry at a time, or dead). `rendered` (the body sent) is kept from the first attempt
    /// on. A row changes state only if it is still the claim the attempt made (a later claim or a
    /// cancellation wins), and an attempt at a notification no longer there (deleted by retention
    /// meanwhile) is passed over, so that it can never hold up the others. Once all are recorded,
    /// each destination that accepted one wakes its backlog, as of the last acceptance.
    static func record(_ attempts: [CompletedAttempt], in db: Database) throws {
        var accepted: [String: Date] = [:]
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO delivery_attempts (outbox_id, attempt, started_at, finished_at, status_code, error, outcome)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM outbox WHERE id = ?1)
                """)
        for completed in attempts {
            let entry = completed.entry
            guard let id = entry.id else { continue }
            let (name, detail) = completed.recordedOutcome
            let finished = StoredDate.text(completed.finishedAt)
            try insert.execute(arguments: [
                id, entry.attempts, StoredDate.text(completed.startedAt), finished, completed.statusCode, detail, name,
            ])
            let guardClause = "WHERE id = ? AND state = \(OutboxEntry.State.sending.sql) AND attempts = ?"
            switch completed.outcome {
            case .sent:
                try db.cachedStatement(
                    sql: """
                        UPDATE outbox SET state = \(OutboxEntry.State.sent.sql), sent_at = ?, updated_at = ?, lease_until = NULL, last_error = NULL,
                        rendered = COALESCE(rendered, ?) \(guardClause)
                        """
                ).execute(arguments: [finished, finished, completed.rendered, id, entry.attempts])
                accepted[entry.destination] = max(accepted[entry.destination] ?? completed.finishedAt, completed.finishedAt)
            case .retry(let at, let reason):
                try db.cachedStatement(
                    sql: """
                        UPDATE outbox SET state = \(Self.unlessCancelled(OutboxEntry.State.retry.sql)), due_at = ?, updated_at = ?,
                        lease_until = NULL, last_error = COALESCE(cancel_reason, ?),
                        rendered = COALESCE(rendered, ?) \(guardClause)
                        """
                ).execute(arguments: [StoredDate.text(at), finished, reason, completed.rendered, id, entry.attempts])
            case .dead(let reason):
                try db.cachedStatement(
                    sql: """
                        UPDATE outbox SET state = \(OutboxEntry.State.dead.sql), updated_at = ?, lease_until = NULL, last_error = ?,
                        rendered = COALESCE(rendered, ?) \(guardClause)
                        """
                ).execute(arguments: [finished, reason, completed.rendered, id, entry.attempts])
            }
        }
        for (destination, at) in accepted {
            try wakeBacklog(of: destination, at: StoredDate.text(at), in: db)
        }
    }

    /// After a notification was sent: its destination is back, so every notification waiting to be
    /// retried there becomes due now and the backlog of an outage drains at once, oldest first,
    /// instead of each one waiting out its own backoff. Those whose own retry fell due a moment
    /// before take the same due time: claims go by due time, then id, so they keep their place
    /// in the backlog instead of going ahead of older pages. Only a success that finds retries
    /// still waiting out a backoff changes anything: once the backlog is due, the ones after it
    /// do not rewrite it.
    static func wakeBacklog(of destination: String, at now: String, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE outbox SET due_at = ?1 WHERE state = \(OutboxEntry.State.retry.sql) AND destination = ?2 AND due_at <> ?1
                  AND EXISTS (SELECT 1 FROM outbox WHERE state = \(OutboxEntry.State.retry.sql) AND destination = ?2 AND due_at > ?1)
                """
        ).execute(arguments: [now, destination])
    }

    static func nextDeliveryDue(after: Date?, in db: Database) throws -> Date? {
        let after = after.map(StoredDate.text) ?? ""
        return try Date.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MIN(t) FROM (
                        SELECT * FROM (
                            SELECT o.due_at AS t FROM outbox AS o INDEXED BY outbox_ready
                            WHERE o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.due_at > ?1 AND \(Self.notBehindEarlier)
                            ORDER BY o.due_at, o.id LIMIT 1)
                        UNION ALL SELECT MIN(lease_until) FROM outbox WHERE state = \(OutboxEntry.State.sending.sql) AND lease_until > ?1)
                    """),
            arguments: [after])
    }

    /// The condition that a notification (`o`) is not waiting behind an earlier one for the same
    /// incident and address that is not finished.
    static let notBehindEarlier = """
        NOT EXISTS (
            SELECT 1 FROM outbox AS earlier
            WHERE earlier.incident_id = o.incident_id AND earlier.address = o.address AND earlier.id < o.id
              AND earlier.state IN \(OutboxEntry.State.unfinished.sqlList))
        """
}
