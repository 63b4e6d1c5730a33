import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
    /// At start-up: nothing can be in flight any more, so every `sending` row is retried now
    /// (with the same idempotency key). Returns how many there were.
    ///
    /// Each one's count of attempts becomes the last attempt on record (a text's failure reported
    /// later by Twilio is recorded under its attempt's number): a claim counts its attempt before
    /// it is made, and a lane's later notifications may have been claimed and never tried
    /// (``DestinationLimit``), so a stop must not spend their attempts. One never tried is `pending`
    /// again, as a claim given back is (``releaseClaims(_:now:)``); one whose pages were cancelled
    /// meanwhile ends `cancelled`.
    @discardableResult
    public func recoverInterruptedDeliveries(now: Date) async throws(StoreError) -> Int {
        let recorded = "COALESCE((SELECT MAX(attempt) FROM delivery_attempts WHERE delivery_attempts.outbox_id = outbox.id), 0)"
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET
                      state = \(Self.unlessCancelled(
                          "CASE WHEN \(recorded) > 0 THEN \(OutboxEntry.State.retry.sql) ELSE \(OutboxEntry.State.pending.sql) END")),
                      due_at = ?, lease_until = NULL, attempts = \(recorded),
                      last_error = COALESCE(cancel_reason, 'interrupted: Tocsin stopped during delivery')
                    WHERE state = \(OutboxEntry.State.sending.sql)
                    """,
                arguments: [StoredDate.text(now)])
            return db.changesCount
        }
    }

    /// Cancels the incident's pages not sent yet, for `reason` ("cancelled: incident acknowledged
    /// by alice"). Those waiting are cancelled at once. Those claimed (`sending`) may be on the wire
    /// or waiting in a lane: they keep their claim and take `cancel_reason`, so that whatever ends
    /// the claim but an accepted attempt (a failure, a claim given back, a restart) ends them
    /// `cancelled` instead of queuing them again.
    static func cancelUnsentPages(ofIncident id: Int64, reason: String, now: Date, in db: Database) throws {
        try db.execute(
            sql: """
                UPDATE outbox SET state = \(OutboxEntry.State.cancelled.sql), updated_at = ?, last_error = ?
                WHERE incident_id = ? AND state IN \(OutboxEntry.State.awaitingDelivery.sqlList)
                  AND event IN \(NotificationEvent.pages.sqlList)
                """,
            arguments: [StoredDate.text(now), reason, id])
        try db.execute(
            sql: """
                UPDATE outbox SET cancel_reason = ?
                WHERE incident_id = ? AND state = \(OutboxEntry.State.sending.sql) AND event IN \(NotificationEvent.pages.sqlList)
                """,
            arguments: [reason, id])
    }

    /// The state a claim that ends without being accepted leaves its notification in: `cancelled`
    /// when its pages were cancelled meanwhile (``cancelUnsentPages(ofIncident:reason:now:in:)``),
    /// and otherwise the SQL expression `otherwise`.
    static func unlessCancelled(_ otherwise: String) -> String {
        "CASE WHEN cancel_reason IS NOT NULL THEN \(OutboxEntry.State.cancelled.sql) ELSE \(otherwise) END"
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
                sql: """
                    UPDATE outbox SET state = \(OutboxEntry.State.pending.sql), due_at = ?, updated_at = ?, destination = ?, cancel_reason = NULL
                    WHERE id = ?
                    """,
                arguments: [StoredDate.text(now), StoredDate.text(now), entry.destination, id])
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
