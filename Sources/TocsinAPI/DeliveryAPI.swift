import Foundation
import TocsinCore

/// A notification and where it stands in delivery (no rendered body; webhook addresses redacted).
public struct DeliveryResource: Codable, Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    public var idempotencyKey: String
    public var event: NotificationEvent
    /// The policy target it is for, e.g. `person:alice`.
    public var target: String
    public var medium: Medium
    /// An email address, or a webhook URL redacted to `https://host/…`.
    public var address: String
    public var urgent: Bool
    public var subject: String
    public var body: String
    public var state: OutboxEntry.State
    public var attempts: Int
    public var createdAt: Date
    public var dueAt: Date
    public var updatedAt: Date
    public var lastError: String?
    /// Which policy step queued it.
    public var step: String?
    /// While `sending`: when the claim expires and another attempt may start.
    public var leaseUntil: Date?
    public var sentAt: Date?
    /// The correlation id of the request that opened the incident.
    public var correlationID: String?

    public init(
        id: Int64, incidentID: Int64, idempotencyKey: String, event: NotificationEvent, target: String, medium: Medium,
        address: String, urgent: Bool, subject: String, body: String, state: OutboxEntry.State, attempts: Int,
        createdAt: Date, dueAt: Date, updatedAt: Date, lastError: String? = nil, step: String? = nil,
        leaseUntil: Date? = nil, sentAt: Date? = nil, correlationID: String? = nil
    ) {
        self.id = id
        self.incidentID = incidentID
        self.idempotencyKey = idempotencyKey
        self.event = event
        self.target = target
        self.medium = medium
        self.address = address
        self.urgent = urgent
        self.subject = subject
        self.body = body
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.updatedAt = updatedAt
        self.lastError = lastError
        self.step = step
        self.leaseUntil = leaseUntil
        self.sentAt = sentAt
        self.correlationID = correlationID
    }

    enum CodingKeys: String, CodingKey {
        case id, event, target, medium, address, urgent, subject, body, state, attempts, step
        case incidentID = "incident_id"
        case idempotencyKey = "idempotency_key"
        case createdAt = "created_at"
        case dueAt = "due_at"
        case updatedAt = "updated_at"
        case lastError = "last_error"
        case leaseUntil = "lease_until"
        case sentAt = "sent_at"
        case correlationID = "correlation_id"
    }
}

/// One try at delivering a notification.
public struct DeliveryAttemptResource: Codable, Sendable, Equatable {
    public var id: Int64
    /// The notification's id (`DeliveryResource.id`).
    public var outboxID: Int64
    /// 1 for the first attempt.
    public var attempt: Int
    public var startedAt: Date
    public var finishedAt: Date
    /// The receiver's HTTP status (250 for mail the SMTP server accepted), if it answered.
    public var statusCode: Int?
    /// The transport error or the receiver's reason, if any.
    public var error: String?
    /// `sent`, `retry` or `dead`.
    public var outcome: String

    public init(
        id: Int64, outboxID: Int64, attempt: Int, startedAt: Date, finishedAt: Date, statusCode: Int? = nil,
        error: String? = nil, outcome: String
    ) {
        self.id = id
        self.outboxID = outboxID
        self.attempt = attempt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.statusCode = statusCode
        self.error = error
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case id, attempt, error, outcome
        case outboxID = "outbox_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case statusCode = "status_code"
    }
}

/// `GET /api/v1/deliveries`: deliveries, newest first.
public struct DeliveryListResource: Codable, Sendable, Equatable {
    public var deliveries: [DeliveryResource]

    public init(deliveries: [DeliveryResource]) {
        self.deliveries = deliveries
    }

    enum CodingKeys: String, CodingKey {
        case deliveries
    }
}
