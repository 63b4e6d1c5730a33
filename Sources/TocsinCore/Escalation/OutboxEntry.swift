import Foundation

/// A notification in the outbox: `pending → sending → sent | retry → dead`, or `cancelled`
/// when an acknowledgement or resolve made it moot before it went out.
public struct OutboxEntry: Sendable, Equatable, Codable {
    /// Where a notification stands in delivery.
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, sending, sent, retry, dead, cancelled

        /// Queued and not being sent: due at `due_at` (first attempt, or again after a failure).
        public static let awaitingDelivery: [State] = [.pending, .retry]
        /// Not done with: waiting, or being sent right now.
        public static let unfinished: [State] = [.pending, .sending, .retry]
    }

    public var id: Int64?
    public var incidentID: Int64
    public var idempotencyKey: String
    public var event: NotificationEvent
    public var target: String
    public var medium: Medium
    public var address: String
    public var urgent: Bool
    public var subject: String
    public var body: String
    public var state: State
    public var attempts: Int
    public var createdAt: Date
    public var dueAt: Date
    public var updatedAt: Date
    public var lastError: String?
    /// Which policy step queued it.
    public var step: String?
    /// While `sending`: when the claim expires and another attempt may start.
    public var leaseUntil: Date?
    /// The body sent on the first attempt (every retry sends the same).
    public var rendered: String?
    public var sentAt: Date?
    /// The correlation id of the request that opened the incident (for logs).
    public var correlationID: String?

    public init(_ draft: NotificationDraft, now: Date) {
        self.incidentID = draft.incidentID
        self.idempotencyKey = draft.idempotencyKey
        self.event = draft.event
        self.target = draft.target
        self.medium = draft.contact.medium
        self.address = draft.contact.address
        self.urgent = draft.urgent
        self.subject = draft.subject
        self.body = draft.body
        self.state = .pending
        self.attempts = 0
        self.createdAt = now
        self.dueAt = now
        self.updatedAt = now
        self.step = draft.step
    }

    public enum CodingKeys: String, CodingKey {
        case id, event, target, medium, address, urgent, subject, body, state, attempts
        case incidentID = "incident_id"
        case idempotencyKey = "idempotency_key"
        case createdAt = "created_at"
        case dueAt = "due_at"
        case updatedAt = "updated_at"
        case lastError = "last_error"
        case step
        case leaseUntil = "lease_until"
        case rendered
        case sentAt = "sent_at"
        case correlationID = "correlation_id"
    }
}
