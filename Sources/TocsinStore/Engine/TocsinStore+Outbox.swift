import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
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
            let stamp = StoredDate.text(now)
            // A destination already at its limit is left out in SQL, so a backlog of thousands for
            // a receiver that hangs is passed over, not read; the rest is read a little ahead, so
            // that a claim can fill its workers with other destinations.
            let (skip, skipArguments) = Self.skipping(destinationLimit?.saturated ?? [])
            let window = destinationLimit == nil ? limit : limit * 4 + 16
            // Pending and retrying notifications come in due order from their own index, so the
            // claim stops after `window`; claims whose lease expired are few.
            let ready = try OutboxEntry.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox AS o INDEXED BY outbox_ready
                    WHERE o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND o.due_at <= ? AND \(Self.notBehindEarlier)\(skip)
                    ORDER BY o.due_at, o.id LIMIT ?
                    """,
                arguments: StatementArguments([stamp] + skipArguments + [window]))
            let expired = try OutboxEntry.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox AS o
                    WHERE o.state = \(OutboxEntry.State.sending.sql) AND o.lease_until <= ? AND \(Self.notBehindEarlier)\(skip)
                    ORDER BY o.due_at, o.id LIMIT ?
                    """,
                arguments: StatementArguments([stamp] + skipArguments + [window]))
            let candidates = (ready + expired).sorted { ($0.dueAt, $0.id ?? 0) < ($1.dueAt, $1.id ?? 0) }
            let due = destinationLimit.map { $0.select(from: candidates, limit: limit) } ?? Array(candidates.prefix(limit))
            let leaseUntil = now.addingTimeInterval(lease)
            return try due.map { entry in
                var claimed = entry
                claimed.state = .sending
                claimed.attempts += 1
                claimed.updatedAt = now
                claimed.leaseUntil = leaseUntil
                try db.execute(
                    sql: "UPDATE outbox SET state = \(OutboxEntry.State.sending.sql), attempts = ?, updated_at = ?, lease_until = ? WHERE id = ?",
                    arguments: [claimed.attempts, stamp, StoredDate.text(leaseUntil), entry.id])
                return claimed
            }
        }
    }

    /// The SQL test that the URL in `column` is at the webhook origin `origin` (a placeholder
    /// standing five times): the origin itself, or followed by a path, a query or a fragment.
    static func addressAtOrigin(column: String, origin: String) -> String {
        "(\(column) = \(origin) OR substr(\(column), 1, length(\(origin)) + 1) IN (\(origin) || '/', \(origin) || '?', \(origin) || '#'))"
    }

    /// The SQL that leaves out notifications to `destinations` (the SMTP server, or webhook
    /// origins), and its arguments.
    static func skipping(_ destinations: Set<String>) -> (sql: String, arguments: [String]) {
        var sql = ""
        var arguments: [String] = []
        for destination in destinations.sorted() {
            if destination == DeliveryDestination.mail {
                sql += " AND o.medium != \(Medium.email.sql)"
            } else {
                sql += " AND NOT (o.medium != \(Medium.email.sql) AND \(addressAtOrigin(column: "o.address", origin: "?")))"
                arguments += Array(repeating: destination, count: 5)  // `?` stands five times in the test
            }
        }
        return (sql, arguments)
    }

    /// After a notification was sent: its destination is back, so every notification waiting to be
    /// retried there becomes due now and the backlog of an outage drains at once, oldest first
    /// (claims go by due time, then id), instead of each one waiting out its own backoff. The
    /// destination is the SMTP server for email (one relay for all addresses) and the origin
    /// (`scheme://host:port`) of a webhook's URL.
    static func wakeBacklog(after entry: OutboxEntry, at now: String, in db: Database) throws {
        switch entry.medium {
        case .email:
            try db.execute(
                sql: "UPDATE outbox SET due_at = ? WHERE state = \(OutboxEntry.State.retry.sql) AND due_at > ? AND medium = \(Medium.email.sql)",
                arguments: [now, now])
        case .webhook:
            guard let origin = DeliveryDestination.webhookOrigin(entry.address) else { return }
            try db.execute(
                sql: """
                    UPDATE outbox SET due_at = ?1 WHERE state = \(OutboxEntry.State.retry.sql) AND due_at > ?1 AND medium = ?2
                      AND \(Self.addressAtOrigin(column: "address", origin: "?3"))
                    """,
                arguments: [now, entry.medium, origin])
        }
    }


    /// Records the outcome of an attempt and moves the notification on: sent, retry at a time, or dead.
    ///
    /// `rendered` (the body sent) is kept from the first attempt on. The row changes state only if
    /// it is still the claim this attempt made (a later claim or a cancellation wins). A sent
    /// notification wakes its destination's backlog (``wakeBacklog(after:at:in:)``).
    public func recordAttempt(
        _ entry: OutboxEntry, startedAt: Date, finishedAt: Date, statusCode: Int?, error: String?,
        outcome: DeliveryPolicy.Outcome, rendered: String?
    ) async throws(StoreError) {
        try await write { db in
            guard let id = entry.id else { return }
            let (name, detail): (String, String?) =
                switch outcome {
                case .sent: ("sent", error)
                case .retry(_, let reason): ("retry", reason)
                case .dead(let reason): ("dead", reason)
                }
            var attempt = DeliveryAttempt(
                outboxID: id, attempt: entry.attempts, startedAt: startedAt, finishedAt: finishedAt, statusCode: statusCode,
                error: detail, outcome: name)
            try attempt.insert(db)
            let finished = StoredDate.text(finishedAt)
            let guardClause = "WHERE id = ? AND state = \(OutboxEntry.State.sending.sql) AND attempts = ?"
            switch outcome {
            case .sent:
                try db.execute(
                    sql: """
                        UPDATE outbox SET state = \(OutboxEntry.State.sent.sql), sent_at = ?, updated_at = ?, lease_until = NULL, last_error = NULL,
                        rendered = COALESCE(rendered, ?) \(guardClause)
                        """,
                    arguments: [finished, finished, rendered, id, entry.attempts])
                try Self.wakeBacklog(after: entry, at: finished, in: db)
            case .retry(let at, let reason):
                try db.execute(
                    sql: """
                        UPDATE outbox SET state = \(OutboxEntry.State.retry.sql), due_at = ?, updated_at = ?, lease_until = NULL, last_error = ?,
                        rendered = COALESCE(rendered, ?) \(guardClause)
                        """,
                    arguments: [StoredDate.text(at), finished, reason, rendered, id, entry.attempts])
            case .dead(let reason):
                try db.execute(
                    sql: """
                        UPDATE outbox SET state = \(OutboxEntry.State.dead.sql), updated_at = ?, lease_until = NULL, last_error = ?,
                        rendered = COALESCE(rendered, ?) \(guardClause)
                        """,
                    arguments: [finished, reason, rendered, id, entry.attempts])
            }
        }
    }

    /// At start-up: nothing can be in flight any more, so every `sending` row is retried now
    /// (with the same idempotency key). Returns how many there were.
    @discardableResult
    public func recoverInterruptedDeliveries(now: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET state = \(OutboxEntry.State.retry.sql), due_at = ?, lease_until = NULL,
                    last_error = 'interrupted: Tocsin stopped during delivery' WHERE state = \(OutboxEntry.State.sending.sql)
                    """,
                arguments: [StoredDate.text(now)])
            return db.changesCount
        }
    }

    /// The condition that a notification (`o`) is not waiting behind an earlier one for the same
    /// incident and address that is not finished.
    static let notBehindEarlier = """
        NOT EXISTS (
            SELECT 1 FROM outbox AS earlier
            WHERE earlier.incident_id = o.incident_id AND earlier.address = o.address AND earlier.id < o.id
              AND earlier.state IN \(OutboxEntry.State.unfinished.sqlList))
        """

    /// When the next notification becomes ready (a due time, or a lease that expires), if any.
    ///
    /// Rows waiting behind an earlier one for the same incident and address are left out: their
    /// time comes when the earlier one finishes, which wakes the dispatcher anyway.
    ///
    /// Notifications to `skipping` destinations (those at their limit of deliveries in flight) are
    /// left out: a finishing delivery wakes the dispatcher for them, so it does not spin meanwhile.
    public func nextDeliveryDue(skipping saturated: Set<String> = []) async throws(StoreError) -> Date? {
        let (skip, skipArguments) = Self.skipping(saturated)
        return try await read { db in
            try Date.fetchOne(
                db,
                sql: """
                    SELECT MIN(t) FROM (
                        SELECT * FROM (
                            SELECT o.due_at AS t FROM outbox AS o INDEXED BY outbox_ready
                            WHERE o.state IN \(OutboxEntry.State.awaitingDelivery.sqlList) AND \(Self.notBehindEarlier)\(skip)
                            ORDER BY o.due_at, o.id LIMIT 1)
                        UNION ALL SELECT MIN(lease_until) FROM outbox AS o WHERE state = \(OutboxEntry.State.sending.sql)\(skip))
                    """,
                arguments: StatementArguments(skipArguments + skipArguments))
        }
    }

    /// Notifications in the given states (all when empty), newest first.
    public func deliveries(states: [OutboxEntry.State], limit: Int = 100) async throws(StoreError) -> [OutboxEntry] {
        try await read { db in
            var request = OutboxEntry.all()
            if !states.isEmpty {
                request = request.filter(states.map(\.rawValue).contains(OutboxEntry.Columns.state))
            }
            return try request.order(OutboxEntry.Columns.id.desc).limit(max(1, min(limit, 1000))).fetchAll(db)
        }
    }

    /// Puts a dead notification back in the queue, due now (same idempotency key).
    public func retryDelivery(id: Int64, now: Date) async throws(StoreError) -> OutboxEntry {
        try await write { db in
            guard var entry = try OutboxEntry.fetchOne(db, key: id) else {
                throw StoreError.notFound(what: "delivery", id: "\(id)")
            }
            guard entry.state == .dead else {
                throw StoreError.conflict("delivery \(id) is \(entry.state.rawValue); only dead deliveries can be retried")
            }
            entry.state = .pending
            entry.dueAt = now
            entry.updatedAt = now
            try db.execute(
                sql: "UPDATE outbox SET state = \(OutboxEntry.State.pending.sql), due_at = ?, updated_at = ? WHERE id = ?",
                arguments: [StoredDate.text(now), StoredDate.text(now), id])
            return entry
        }
    }

    /// Every attempt at the incident's notifications, oldest first.
    public func deliveryAttempts(incidentID: Int64) async throws(StoreError) -> [DeliveryAttempt] {
        try await read { db in try Self.deliveryAttempts(incidentID: incidentID, in: db) }
    }

    static func deliveryAttempts(incidentID: Int64, in db: Database) throws -> [DeliveryAttempt] {
        try DeliveryAttempt.fetchAll(
            db,
            sql: """
                SELECT delivery_attempts.* FROM delivery_attempts JOIN outbox ON outbox.id = delivery_attempts.outbox_id
                WHERE outbox.incident_id = ? ORDER BY delivery_attempts.id
                """,
            arguments: [incidentID])
    }
}
