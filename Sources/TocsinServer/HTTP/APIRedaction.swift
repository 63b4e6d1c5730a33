import Foundation
import TocsinCore
import TocsinDelivery
import TocsinStore

// What the API shows of notifications and escalations to any token that may read: never the
// rendered body (its signed ack/resolve links would let a read-only token respond) and never a
// webhook URL's path or query (often a credential), only its scheme, host and port.

extension OutboxEntry {
    /// The entry as API answers show it.
    var forAPI: OutboxEntry {
        var shown = self
        shown.rendered = nil
        if medium == .webhook { shown.address = TransferError.redacted(address) }
        return shown
    }
}

extension Escalation {
    /// The escalation as API answers show it: webhook contacts redacted.
    var forAPI: Escalation {
        var shown = self
        shown.snapshot.contacts = snapshot.contacts.mapValues { contacts in
            contacts.map { contact in
                if case .webhook(let url) = contact { return .webhook(TransferError.redacted(url)) }
                return contact
            }
        }
        return shown
    }
}

extension IncidentDetail {
    /// The incident as API answers show it.
    var forAPI: IncidentDetail {
        var shown = self
        shown.notifications = notifications.map(\.forAPI)
        shown.escalations = escalations.map(\.forAPI)
        return shown
    }
}
