import Foundation

/// One try at delivering a notification, as `tocsin show` lists it.
public struct DeliveryAttempt: Codable, Sendable, Equatable {
    public var id: Int64?
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
        id: Int64? = nil, outboxID: Int64, attempt: Int, startedAt: Date, finishedAt: Date, statusCode: Int?,
        error: String?, outcome: String
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

    public enum CodingKeys: String, CodingKey {
        case id, attempt, error, outcome
        case outboxID = "outbox_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case statusCode = "status_code"
    }
}
