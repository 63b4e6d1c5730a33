import Foundation
import GRDB
import PostgresNIO
import TocsinCore

// The outbox on PostgreSQL, shared by every instance: the same turn as SQLite's store
// (`TocsinStore+DeliveryTurn.swift`). A claim marks its notifications `sending` with a lease in
// the database; the rows being claimed are locked (`FOR UPDATE SKIP LOCKED`), so two instances
// never claim one notification at once. A claim whose lease ran out (its instance died) is taken
// again by any instance, its attempt counted again, with the same idempotency key.

extension PostgresStore {
    public func deliveryTurn(
        recording completed: [CompletedAttempt], releasing released: [OutboxEntry] = [], now: Date, limit: Int,
        lease: TimeInterval, destinationLimit: DestinationLimit
    ) async throws(StoreError) -> DeliveryTurn {
        try await work { work in
            try await work.record(completed)
            try await work.release(released, now: now)
            let lanes = try await work.claimLanes(now: now, limit: limit, lease: lease, destinationLimit: destinationLimit)
            let claimed = lanes.flatMap { $0 }
            let nextDue = lanes.count < limit ? try await work.nextDeliveryDue(after: now) : nil
            var material: [Int64: RenderMaterial] = [:]
            for entry in claimed where entry.rendered == nil && material[entry.incidentID] == nil {
                material[entry.incidentID] = try await work.renderMaterial(incidentID: entry.incidentID)
            }
            var linkKey: [UInt8]?
            if !material.isEmpty {
                let stored = try await work.query("SELECT value FROM settings WHERE name = $1", Self.binding(TocsinStore.linkKeySetting))
                linkKey = try stored.first.map { Array(try $0.decode(String.self).utf8) }
            }
            return DeliveryTurn(lanes: lanes, material: material, linkKey: linkKey, nextDue: nextDue)
        }
    }

    public func claimDueNotifications(
        now: Date, limit: Int = 100, lease: TimeInterval = 60, destinationLimit: DestinationLimit? = nil
    ) async throws(StoreError) -> [OutboxEntry] {
        try await work { work in
            try await work.claimLanes(now: now, limit: limit, lease: lease, destinationLimit: destinationLimit).flatMap { $0 }
        }
    }

    public func releaseClaims(_ entries: [OutboxEntry], now: Date) async throws(StoreError) {
        try await work { work in try await work.release(entries, now: now) }
    }

    public func recordAttempts(_ attempts: [CompletedAttempt]) async throws(StoreError) {
        try await work { work in try await work.record(attempts) }
    }

    public func nextDeliveryDue(after: Date? = nil) async throws(StoreError) -> Date? {
        try await work { work in try await work.nextDeliveryDue(after: after) }
    }

    public func renderMaterial(incidentID: Int64) async throws(StoreError) -> RenderMaterial {
        try await work { work in try await work.renderMaterial(incidentID: incidentID) }
    }

    public func deliveries(states: [OutboxEntry.State], limit: Int = 100) async throws(StoreError) -> [OutboxEntry] {
        try await work { work in
            var bindings = PostgresBindings()
            bindings.append(max(1, min(limit, 1000)))
            var condition = ""
            if !states.isEmpty {
                bindings.append(states.map(\.rawValue))
                condition = "WHERE t.state = ANY($2)"
            }
            return try await work.rows(of: "outbox", "\(condition) ORDER BY t.id DESC LIMIT $1", bindings).map(OutboxEntry.init(row:))
        }
    }

    public func retryDelivery(id: Int64, now: Date) async throws(StoreError) -> OutboxEntry {
        try await work { work in
            guard var entry = try await work.rows(of: "outbox", "WHERE t.id = $1 FOR UPDATE", Self.binding(id)).first.map(OutboxEntry.init(row:))
            else { throw StoreError.notFound(what: "delivery", id: "\(id)") }
            guard entry.state == .dead else {
                throw StoreError.conflict("delivery \(id) is \(entry.state.rawValue); only dead deliveries can be retried")
            }
            entry.state = .pending
            entry.dueAt = now
            entry.updatedAt = now
            try await work.connection.query(
                """
                UPDATE outbox SET state = 'pending', due_at = \(now.moment), updated_at = \(now.moment), destination = \(entry.destination),
                                  cancel_reason = NULL
                WHERE id = \(id)
                """, logger: work.logger)
            return entry
        }
    }

    public func deliveryAttempts(incidentID: Int64) async throws(StoreError) -> [DeliveryAttempt] {
        try await work { work in
            try await work.rows(
                of: "delivery_attempts", "JOIN outbox ON outbox.id = t.outbox_id WHERE outbox.incident_id = $1 ORDER BY t.id",
                Self.binding(incidentID)
            ).map(DeliveryAttempt.init(row:))
        }
    }

    /// Nothing to do at start-up: other instances may be delivering what is `sending` now. A claim
    /// of an instance that stopped is taken again once its lease runs out.
    @discardableResult
    public func recoverInterruptedDeliveries(now: Date) async throws(StoreError) -> Int { 0 }
}

extension PostgresWork {
    /// The condition that a notification (`o`) is not waiting behind an earlier one for the same
    /// incident and address that is not finished.
    static let notBehindEarlier = """
        NOT EXISTS (
            SELECT 1 FROM outbox AS earlier
            WHERE earlier.incident_id = o.incident_id AND earlier.address = o.address AND earlier.id < o.id
              AND earlier.state IN \(OutboxEntry.State.unfinished.sqlList))
        """

    /// `o`'s id, destination and due time as SQLite's text (which sorts as time does).
    static let candidateColumns = "o.id, o.destination, to_char(o.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"

    /// Claims up to `limit` lanes, oldest first (``TocsinStore/claimLanes(now:limit:lease:destinationLimit:in:)``),
    /// passing over rows another instance is claiming at the same moment.
    func claimLanes(now: Date, limit: Int, lease: TimeInterval, destinationLimit: DestinationLimit?) async throws -> [[OutboxEntry]] {
        guard limit > 0 else { return [] }
        let window = limit * (destinationLimit?.pagesPerLane ?? 1)
        try await query(
            """
            UPDATE outbox SET state = 'cancelled', last_error = cancel_reason, lease_until = NULL, updated_at = $1,
              attempts = \(Self.recordedAttempts)
            WHERE state = 'sending' AND lease_until <= $1 AND cancel_reason IS NOT NULL
            """, PostgresStore.binding(now.moment))
        let ready = try await candidates(
            "o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.due_at <= $1", bindings(now.moment, window))
        let expired = try await candidates(
            "o.state = 'sending' AND o.lease_until <= $1 AND o.cancel_reason IS NULL", bindings(now.moment, window))
        var choice = LaneChoice(ready: ready, expired: expired, window: window, limit: limit, destinationLimit: destinationLimit)
        if let destinationLimit, choice.wantsMore {
            choice.add(try await readyByDestination(now: now, destinationLimit: destinationLimit, windowCounts: choice.windowCounts))
        }
        let lanes = choice.lanes
        let chosen = lanes.flatMap { $0 }
        guard !chosen.isEmpty else { return [] }
        let layout = try await store.layout("outbox", on: connection, logger: logger)
        var bindings = PostgresBindings()
        bindings.append(now.moment)
        bindings.append(now.addingTimeInterval(lease).moment)
        bindings.append(chosen.map(\.id))
        // A claim retaken from a dead instance counts the attempts on record, as a restart does on
        // SQLite (``TocsinStore/recoverInterruptedDeliveries(now:)``): the dead claim's attempt may
        // never have started.
        let claimed = try await query(
            """
            UPDATE outbox SET state = 'sending', updated_at = $1, lease_until = $2,
              attempts = CASE WHEN state = 'sending' THEN \(Self.recordedAttempts) ELSE attempts END + 1
            WHERE id = ANY($3) RETURNING \(layout.storedSelection)
            """, bindings
        ).map { try OutboxEntry(row: try layout.storedRow($0)) }
        let byID = Dictionary(claimed.compactMap { entry in entry.id.map { ($0, entry) } }, uniquingKeysWith: { first, _ in first })
        return lanes.map { lane in lane.compactMap { byID[$0.id] } }.filter { !$0.isEmpty }
    }

    /// The number of the last attempt on record for the `outbox` row being updated (0 when none).
    private static let recordedAttempts =
        "COALESCE((SELECT MAX(attempt) FROM delivery_attempts WHERE delivery_attempts.outbox_id = outbox.id), 0)"

    /// Notifications (`o`) meeting `condition` and not behind an earlier one, in due order, at most
    /// `$2`, locked for the claim; those another transaction holds are passed over.
    private func candidates(_ condition: String, _ bindings: PostgresBindings) async throws -> [ClaimCandidate] {
        try await query(
            """
            SELECT \(Self.candidateColumns) FROM outbox AS o WHERE \(condition) AND \(Self.notBehindEarlier)
            ORDER BY o.due_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED
            """, bindings
        ).map { row in
            let (id, destination, due) = try row.decode((Int64, String, String).self)
            return ClaimCandidate(id: id, destination: destination, dueAt: due)
        }
    }

    /// For each destination with room, its oldest notifications ready now (``TocsinStore/readyByDestination(now:destinationLimit:windowCounts:in:)``).
    private func readyByDestination(now: Date, destinationLimit: DestinationLimit, windowCounts: [String: Int]) async throws
        -> [ClaimCandidate]
    {
        var found: [ClaimCandidate] = []
        var after = ""
        while let destination = try await query(
            "SELECT MIN(destination) FROM outbox WHERE state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND destination > $1",
            PostgresStore.binding(after)
        ).first.flatMap({ try $0.decode(String?.self) }) {
            after = destination
            let room = destinationLimit.room(for: destination)
            guard room > 0 else { continue }
            var bindings = PostgresBindings()
            bindings.append(now.moment)
            bindings.append(room + windowCounts[destination, default: 0])
            bindings.append(destination)
            found += try await candidates(
                "o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.due_at <= $1 AND o.destination = $3", bindings)
        }
        return found
    }

    /// Gives back claims that were never tried (``TocsinStore/releaseClaims(_:now:)``).
    func release(_ entries: [OutboxEntry], now: Date) async throws {
        if !entries.isEmpty { try await announceWork() }
        for entry in entries {
            guard let id = entry.id, let claim = entry.leaseUntil else { continue }
            var given = bindings(id, claim.moment)
            given.append(now.moment)
            try await query(
                """
                UPDATE outbox SET
                  state = \(TocsinStore.unlessCancelled("CASE WHEN attempts > 1 THEN 'retry' ELSE 'pending' END")),
                  attempts = attempts - 1, lease_until = NULL, last_error = COALESCE(cancel_reason, last_error), updated_at = $3
                WHERE id = $1 AND state = 'sending' AND lease_until = $2
                """, given)
        }
    }

    /// Records finished attempts (``TocsinStore/record(_:in:)``): a row changes state only if it
    /// is still the claim the attempt made; a later claim (the lease ran out and another instance
    /// took it) or a cancellation wins.
    func record(_ attempts: [CompletedAttempt]) async throws {
        var accepted: [String: Date] = [:]
        for completed in attempts {
            let entry = completed.entry
            guard let id = entry.id else { continue }
            let (name, detail) = completed.recordedOutcome
            let finished = completed.finishedAt.moment
            // The claim this attempt was made under: its lease's end, which every later claim moves on.
            let claim = entry.leaseUntil?.moment
            try await connection.query(
                """
                INSERT INTO delivery_attempts (outbox_id, attempt, started_at, finished_at, status_code, error, outcome)
                SELECT \(id), \(entry.attempts), \(completed.startedAt.moment), \(finished), \(completed.statusCode), \(detail), \(name)
                WHERE EXISTS (SELECT 1 FROM outbox WHERE id = \(id))
                """, logger: logger)
            switch completed.outcome {
            case .sent:
                try await connection.query(
                    """
                    UPDATE outbox SET state = 'sent', sent_at = \(finished), updated_at = \(finished), lease_until = NULL, last_error = NULL,
                    rendered = COALESCE(rendered, \(completed.rendered)) WHERE id = \(id) AND state = 'sending' AND lease_until = \(claim)
                    """, logger: logger)
                accepted[entry.destination] = max(accepted[entry.destination] ?? completed.finishedAt, completed.finishedAt)
            case .retry(let at, let reason):
                try await announceWork()
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE outbox SET state = \(TocsinStore.unlessCancelled("'retry'")), due_at = $1, updated_at = $2,
                            lease_until = NULL, last_error = COALESCE(cancel_reason, $3), rendered = COALESCE(rendered, $4)
                            WHERE id = $5 AND state = 'sending' AND lease_until = $6
                            """,
                        binds: retryBindings(at: at, finished: completed.finishedAt, reason: reason, rendered: completed.rendered, id: id,
                                             claim: claim)),
                    logger: logger)
            case .dead(let reason):
                try await connection.query(
                    """
                    UPDATE outbox SET state = 'dead', updated_at = \(finished), lease_until = NULL, last_error = \(reason),
                    rendered = COALESCE(rendered, \(completed.rendered)) WHERE id = \(id) AND state = 'sending' AND lease_until = \(claim)
                    """, logger: logger)
            }
        }
        for (destination, at) in accepted.sorted(by: { $0.key < $1.key }) {
            // The backlog of a destination that accepts again (``TocsinStore/wakeBacklog(of:at:in:)``).
            try await connection.query(
                """
                UPDATE outbox SET due_at = \(at.moment) WHERE state = 'retry' AND destination = \(destination) AND due_at <> \(at.moment)
                  AND EXISTS (SELECT 1 FROM outbox WHERE state = 'retry' AND destination = \(destination) AND due_at > \(at.moment))
                """, logger: logger)
        }
    }

    private func retryBindings(at: Date, finished: Date, reason: String, rendered: String?, id: Int64, claim: StoredMoment?) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(at.moment)
        bindings.append(finished.moment)
        bindings.append(reason)
        bindings.append(rendered)
        bindings.append(id)
        bindings.append(claim)
        return bindings
    }

    /// When the next notification becomes ready (a due time, or a lease that expires) after `after`.
    func nextDeliveryDue(after: Date?) async throws -> Date? {
        let after = (after ?? .distantPast).moment
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT LEAST(
                      (SELECT o.due_at FROM outbox AS o
                       WHERE o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.due_at > $1 AND \(Self.notBehindEarlier)
                       ORDER BY o.due_at, o.id LIMIT 1),
                      (SELECT MIN(lease_until) FROM outbox WHERE state = 'sending' AND lease_until > $1))
                    """, binds: PostgresStore.binding(after)),
            logger: logger)
        for try await next in rows.decode(Date?.self) { return next?.storedPrecision }
        return nil
    }

    /// What a first attempt at one of the incident's notifications renders from.
    func renderMaterial(incidentID: Int64) async throws -> RenderMaterial {
        guard let values = try await values(of: "incidents", "WHERE t.id = $1", PostgresStore.binding(incidentID)).first else {
            throw StoreError.notFound(what: "incident", id: "#\(incidentID)")
        }
        let incident = try Incident(stored: values)
        let alerts = try await rows(of: "incident_alerts", "WHERE t.incident_id = $1 ORDER BY t.status, t.id", PostgresStore.binding(incidentID))
            .map(IncidentAlert.init(row:))
        let drillRun = try await incident.drillRun.asyncFlatMap { id in
            try await rows(of: "drill_runs", "WHERE t.id = $1", PostgresStore.binding(id)).first.map(DrillRun.init(row:))
        }
        return RenderMaterial(
            incident: incident, alerts: alerts, escalations: try await liveEscalations(ofIncident: incidentID), drillRun: drillRun)
    }
}

extension Optional {
    /// The value `transform` makes of the wrapped one, if any.
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let wrapped = self else { return nil }
        return try await transform(wrapped)
    }
}
