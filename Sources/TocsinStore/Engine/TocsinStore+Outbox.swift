import Foundation
import GRDB
import TocsinCore

extension TocsinStore {
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
                sql: "UPDATE outbox SET state = \(OutboxEntry.State.pending.sql), due_at = ?, updated_at = ?, destination = ? WHERE id = ?",
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
