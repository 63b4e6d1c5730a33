import Foundation
import TocsinAPI
import TocsinCore
import TocsinDelivery

extension DeliveryResource {
    /// The notification as API answers show it to any token that may read: never the rendered
    /// body (its signed ack/resolve links would let a read-only token respond), and a webhook
    /// URL only as scheme, host and port (its path or query is often a credential).
    init(_ entry: OutboxEntry) {
        self.init(
            id: entry.id ?? 0, incidentID: entry.incidentID, idempotencyKey: entry.idempotencyKey, event: entry.event,
            target: entry.target, medium: entry.medium,
            address: entry.medium == .webhook ? TransferError.redacted(entry.address) : entry.address,
            urgent: entry.urgent, subject: entry.subject, body: entry.body, state: entry.state, attempts: entry.attempts,
            createdAt: entry.createdAt, dueAt: entry.dueAt, updatedAt: entry.updatedAt, lastError: entry.lastError,
            step: entry.step, leaseUntil: entry.leaseUntil, sentAt: entry.sentAt, correlationID: entry.correlationID)
    }
}

extension DeliveryAttemptResource {
    init(_ attempt: DeliveryAttempt) {
        self.init(
            id: attempt.id ?? 0, outboxID: attempt.outboxID, attempt: attempt.attempt, startedAt: attempt.startedAt,
            finishedAt: attempt.finishedAt, statusCode: attempt.statusCode, error: attempt.error, outcome: attempt.outcome)
    }
}

extension DeliveryListResource {
    /// The listing, each entry redacted as ``DeliveryResource/init(_:)`` does.
    init(_ entries: [OutboxEntry]) {
        self.init(deliveries: entries.map(DeliveryResource.init))
    }
}
