import Foundation
import TocsinCore

/// What a status Twilio reports for a text or call does to its notification, decided once for
/// both stores (``TocsinStore/recordPhoneStatus(deliveryID:attempt:status:errorCode:policy:now:random:)``).
enum PhoneStatusDecision: Equatable {
    /// Nothing changes; the caller answers with this.
    case unchanged(PhoneStatusChange)
    /// The failure is kept beside a page nobody needs any more; it stays sent.
    case notNeeded(why: String)
    /// Retried at `at`: `reason` on the notification, `recorded` (the policy's word) on its attempt.
    case retry(at: Date, reason: String, recorded: String)
    case dead(reason: String)

    init(
        status: String, errorCode: String?, callbackAttempt: Int?, state: OutboxEntry.State, attempts: Int, queuedAt: Date,
        event: NotificationEvent, cancelReason: String?, incidentState: String, policy: DeliveryPolicy, now: Date, random: Double
    ) {
        guard TocsinStore.failedPhoneStatuses.contains(status) else {
            self = .unchanged(.none)
            return
        }
        // The attempt the callback's URL names (texts and calls sent before it was named carry none).
        if let callbackAttempt, callbackAttempt < attempts {
            self = .unchanged(.stale)
            return
        }
        if state == .sending {
            self = .unchanged(.notYetRecorded)
            return
        }
        guard state == .sent else {
            self = .unchanged(.none)
            return
        }
        let reason = "Twilio: \(status)" + (errorCode.map { " (error \($0))" } ?? "")
        if event.isPage, incidentState != IncidentState.triggered.rawValue || cancelReason != nil {
            // Nobody needs it any more (the incident was handled, or reassigned while the page was out).
            self = .notNeeded(why: "\(reason); " + (cancelReason ?? "the incident was \(incidentState) meanwhile"))
            return
        }
        // A declined call (busy) is not rung again: that would only annoy, and the escalation goes on.
        let outcome: DeliveryPolicy.Outcome = status == "busy"
            ? .dead(reason: "\(reason): the call was declined")
            : policy.outcome(of: .failed(reason), attempt: max(attempts, 1), queuedAt: queuedAt, now: now, random: random)
        switch outcome {
        case .retry(let at, let recorded): self = .retry(at: at, reason: reason, recorded: recorded)
        case .dead(let why): self = .dead(reason: why)
        case .sent: self = .unchanged(.none)
        }
    }
}
