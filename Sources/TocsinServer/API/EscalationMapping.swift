import Foundation
import TocsinAPI
import TocsinCore
import TocsinDelivery

extension EscalationResource {
    /// The escalation as API answers show it: webhook contacts of its snapshot reduced to
    /// scheme, host and port (a webhook URL's path or query is often a credential).
    init(_ escalation: Escalation) {
        var snapshot = escalation.snapshot
        snapshot.contacts = snapshot.contacts.mapValues { contacts in
            contacts.map { contact in
                if case .webhook(let url) = contact { return .webhook(TransferError.redacted(url)) }
                return contact
            }
        }
        self.init(
            id: escalation.id ?? 0, incidentID: escalation.incidentID, policyName: escalation.policyName,
            snapshot: snapshot, epoch: escalation.epoch, startedAt: escalation.startedAt, position: escalation.position,
            nextDueAt: escalation.nextDueAt, startedBy: escalation.startedBy, createdAt: escalation.createdAt)
    }
}
