import Foundation
import GRDB
import TocsinCore

/// What Twilio's status callback changed of a text or a call.
public enum PhoneStatusChange: Sendable, Equatable {
    /// Still on its way, or delivered: nothing to do.
    case none
    /// It failed after Twilio took it: queued again at this time.
    case retry(at: Date)
    /// It failed for good.
    case dead(reason: String)
    /// It failed, but the incident was handled meanwhile: nobody needs it any more.
    case notNeeded
    /// It failed, but the send Twilio answered is not recorded yet (the row is still `sending`):
    /// ask again in a moment.
    case notYetRecorded
    /// It is about an earlier attempt: a later one was made since, and this says nothing of it.
    case stale
}

extension TocsinStore {
    /// Twilio's statuses that mean a text or a call did not reach the person.
    public static let failedPhoneStatuses: Set<String> = ["failed", "undelivered", "no-answer", "busy", "canceled"]

    /// Records what Twilio's status callback says of delivery `id` (a text or a call it had
    /// accepted): a failure counts as a failed attempt, retried or dead by `policy` as for a
    /// webhook, unless the incident was acknowledged or resolved meanwhile.
    ///
    /// - Throws: ``StoreError/notFound(what:id:)`` when there is no text or call with that id.
    public func recordPhoneStatus(
        deliveryID id: Int64, attempt: Int? = nil, status: String, errorCode: String?, policy: DeliveryPolicy, now: Date,
        random: Double
    ) async throws(StoreError) -> PhoneStatusChange {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT outbox.state, outbox.attempts, outbox.created_at, outbox.medium, outbox.event, outbox.cancel_reason,
                               incidents.state AS incident_state
                        FROM outbox JOIN incidents ON incidents.id = outbox.incident_id
                        WHERE outbox.id = ? AND outbox.medium IN ('sms', 'voice')
                        """,
                    arguments: [id]),
                let state = OutboxEntry.State.fromDatabaseValue(row["state"]), let queuedAt = StoredDate.parse(row["created_at"]),
                let event = NotificationEvent.fromDatabaseValue(row["event"])
            else { throw StoreError.notFound(what: "text or call", id: "\(id)") }
            let stamp = StoredDate.text(now)
            let attempts: Int = row["attempts"]
            let decision = PhoneStatusDecision(
                status: status, errorCode: errorCode, callbackAttempt: attempt, state: state, attempts: attempts, queuedAt: queuedAt,
                event: event, cancelReason: row["cancel_reason"], incidentState: row["incident_state"], policy: policy, now: now,
                random: random)
            let change: PhoneStatusChange
            let outcome: DeliveryPolicy.Outcome
            switch decision {
            case .unchanged(let unchanged):
                return unchanged
            case .notNeeded(let why):
                try db.execute(sql: "UPDATE outbox SET last_error = ?, updated_at = ? WHERE id = ?", arguments: [why, stamp, id])
                try Self.recordPhoneFailure(of: id, attempt: attempts, reason: why, outcome: "dead", at: stamp, in: db)
                return .notNeeded
            case .retry(let at, let reason, let recorded):
                change = .retry(at: at)
                outcome = .retry(at: at, reason: recorded)
                try db.execute(
                    sql: "UPDATE outbox SET state = 'retry', due_at = ?, last_error = ?, updated_at = ?, sent_at = NULL WHERE id = ?",
                    arguments: [StoredDate.text(at), reason, stamp, id])
            case .dead(let why):
                change = .dead(reason: why)
                outcome = .dead(reason: why)
                try db.execute(
                    sql: "UPDATE outbox SET state = 'dead', last_error = ?, updated_at = ? WHERE id = ?", arguments: [why, stamp, id])
            }
            try Self.recordPhoneFailure(of: id, attempt: attempts, reason: outcome.reason, outcome: outcome.name, at: stamp, in: db)
            return change
        }
    }

    /// The attempts table's row for a failure Twilio reported after it took the text or call.
    private static func recordPhoneFailure(
        of id: Int64, attempt: Int, reason: String, outcome: String, at stamp: String, in db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO delivery_attempts (outbox_id, attempt, started_at, finished_at, status_code, error, outcome)
                VALUES (?, ?, ?, ?, NULL, ?, ?)
                """,
            arguments: [id, max(attempt, 1), stamp, stamp, reason, outcome])
    }
}

extension DeliveryPolicy.Outcome {
    /// Why it was not sent (empty when it was).
    var reason: String {
        switch self {
        case .sent: ""
        case .retry(_, let reason), .dead(let reason): reason
        }
    }

    /// `sent`, `retry` or `dead`, as the attempts table writes it.
    var name: String {
        switch self {
        case .sent: "sent"
        case .retry: "retry"
        case .dead: "dead"
        }
    }
}

/// Texts and calls one phone number was sent lately (for the phone rate limit).
public struct PhoneUsage: Sendable, Equatable {
    public var sent: Int
    /// Whether the notice that texts are held back already went to it.
    public var noticeSent: Bool

    public init(sent: Int, noticeSent: Bool) {
        self.sent = sent
        self.noticeSent = noticeSent
    }
}

extension TocsinStore {
    /// How many texts and calls Twilio took for `address` since `since` (every attempt counts, a
    /// redial too), and whether the rate notice went out since (a row held back for `noticeReason`);
    /// with `until`, only before it.
    public func phoneUsage(address: String, since: Date, until: Date? = nil, noticeReason: String) async throws(StoreError) -> PhoneUsage {
        try await read { db in
            let stamp = StoredDate.text(since)
            let end = until.map(StoredDate.text)
            let sent = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM outbox JOIN delivery_attempts ON delivery_attempts.outbox_id = outbox.id
                    WHERE outbox.address = ?1 AND outbox.medium IN ('sms', 'voice') AND delivery_attempts.outcome = 'sent'
                      AND delivery_attempts.finished_at >= ?2 AND (?3 IS NULL OR delivery_attempts.finished_at < ?3)
                    """,
                arguments: [address, stamp, end]) ?? 0
            let notice = try Bool.fetchOne(
                db,
                sql: """
                    SELECT 1 FROM outbox WHERE address = ?1 AND medium IN ('sms', 'voice') AND updated_at >= ?2
                      AND (?3 IS NULL OR updated_at < ?3) AND state = 'dead' AND last_error = ?4 LIMIT 1
                    """,
                arguments: [address, stamp, end, noticeReason]) != nil
            return PhoneUsage(sent: sent, noticeSent: notice)
        }
    }
}

extension TocsinStore {
    /// Whether incident `id` texted or called `address`; nil when there is no such incident.
    public func phoned(incidentID id: Int64, address: String) async throws(StoreError) -> Bool? {
        try await read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [id]) != nil else { return nil }
            return try Bool.fetchOne(
                db,
                sql: "SELECT 1 FROM outbox WHERE incident_id = ? AND address = ? AND medium IN ('sms', 'voice') LIMIT 1",
                arguments: [id, address]) != nil
        }
    }
}
