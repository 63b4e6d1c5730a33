import Foundation
import PostgresNIO
import TocsinCore

// Texts and calls on PostgreSQL: Twilio's reports decided as on SQLite (``PhoneStatusDecision``),
// on the notification's row locked; the limits per phone read the same rows.

extension PostgresStore {
    public func recordPhoneStatus(
        deliveryID id: Int64, attempt: Int? = nil, status: String, errorCode: String?, policy: DeliveryPolicy, now: Date, random: Double
    ) async throws(StoreError) -> PhoneStatusChange {
        try await work { work in
            let rows = try await work.query(
                """
                SELECT o.state, o.attempts, o.created_at, o.event, o.cancel_reason, i.state
                FROM outbox AS o JOIN incidents AS i ON i.id = o.incident_id
                WHERE o.id = $1 AND o.medium IN ('sms', 'voice') FOR UPDATE OF o
                """, Self.binding(id))
            guard let row = rows.first,
                case let (stateText, attempts, queuedAt, eventText, cancelReason, incidentState) = try row.decode(
                    (String, Int, Date, String, String?, String).self),
                let state = OutboxEntry.State(rawValue: stateText), let event = NotificationEvent(rawValue: eventText)
            else { throw StoreError.notFound(what: "text or call", id: "\(id)") }
            let decision = PhoneStatusDecision(
                status: status, errorCode: errorCode, callbackAttempt: attempt, state: state, attempts: attempts,
                queuedAt: queuedAt.storedPrecision, event: event, cancelReason: cancelReason, incidentState: incidentState, policy: policy,
                now: now, random: random)
            let change: PhoneStatusChange
            let recorded: (reason: String, outcome: String)
            switch decision {
            case .unchanged(let unchanged):
                return unchanged
            case .notNeeded(let why):
                try await work.connection.query(
                    "UPDATE outbox SET last_error = \(why), updated_at = \(now.moment) WHERE id = \(id)", logger: work.logger)
                change = .notNeeded
                recorded = (why, "dead")
            case .retry(let at, let reason, let policyReason):
                try await work.announceWork()
                try await work.connection.query(
                    """
                    UPDATE outbox SET state = 'retry', due_at = \(at.moment), last_error = \(reason), updated_at = \(now.moment), sent_at = NULL
                    WHERE id = \(id)
                    """, logger: work.logger)
                change = .retry(at: at)
                recorded = (policyReason, "retry")
            case .dead(let why):
                try await work.connection.query(
                    "UPDATE outbox SET state = 'dead', last_error = \(why), updated_at = \(now.moment) WHERE id = \(id)", logger: work.logger)
                change = .dead(reason: why)
                recorded = (why, "dead")
            }
            try await work.connection.query(
                """
                INSERT INTO delivery_attempts (outbox_id, attempt, started_at, finished_at, status_code, error, outcome)
                VALUES (\(id), \(max(attempts, 1)), \(now.moment), \(now.moment), NULL, \(recorded.reason), \(recorded.outcome))
                """, logger: work.logger)
            return change
        }
    }

    public func phoneUsage(address: String, since: Date, until: Date? = nil, noticeReason: String) async throws(StoreError) -> PhoneUsage {
        try await reading { connection, logger in
            let end = (until ?? .distantFuture).moment
            let sent = try await connection.query(
                """
                SELECT count(*)::bigint FROM outbox JOIN delivery_attempts ON delivery_attempts.outbox_id = outbox.id
                WHERE outbox.address = \(address) AND outbox.medium IN ('sms', 'voice') AND delivery_attempts.outcome = 'sent'
                  AND delivery_attempts.finished_at >= \(since.moment) AND delivery_attempts.finished_at < \(end)
                """, logger: logger
            ).decode(Int64.self).all().first ?? 0
            let notice = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE address = \(address) AND medium IN ('sms', 'voice') AND updated_at >= \(since.moment)
                  AND updated_at < \(end) AND state = 'dead' AND last_error = \(noticeReason))
                """, logger: logger
            ).decode(Bool.self).all().first ?? false
            return PhoneUsage(sent: Int(sent), noticeSent: notice)
        }
    }

    public func phoned(incidentID id: Int64, address: String) async throws(StoreError) -> Bool? {
        try await reading { connection, logger in
            let rows = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE incident_id = \(id) AND address = \(address) AND medium IN ('sms', 'voice'))
                FROM incidents WHERE id = \(id)
                """, logger: logger)
            return try await rows.decode(Bool.self).all().first
        }
    }
}
