import Foundation
import TocsinCore

/// An acknowledgement or a resolve by hand, decided once for both stores: what the incident
/// becomes, what the timeline and the audit trail record, and whether escalation finishes. The
/// stores only read the incident (locked) and write what this says.
struct IncidentCommand: Sendable {
    /// What the command changes.
    struct Change {
        var incident: Incident
        var event: TimelineEvent
        var audit: AuditEvent
        /// The notices to send and the escalation to pause or stop, if any.
        var finish: NotificationEvent?
        /// Recorded once the change committed.
        var metrics: @Sendable () -> Void
    }

    var transition: @Sendable (IncidentState) -> IncidentLifecycle.Transition
    var kind: TimelineEvent.Kind

    static let acknowledge = IncidentCommand(transition: IncidentLifecycle.acknowledge, kind: .acknowledged)
    static let resolve = IncidentCommand(transition: IncidentLifecycle.resolve, kind: .resolved)

    /// The change to `incident` (stored as `id`), nil when there is none to make.
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the incident's state refuses the command.
    func change(of incident: Incident, id: Int64, by actor: Actor, note: String?, now: Date) throws(StoreError) -> Change? {
        switch transition(incident.state) {
        case .unchanged:
            return nil
        case .rejected(let reason):
            throw StoreError.conflict("incident #\(id): \(reason)")
        case .moves(let state):
            var changed = incident
            changed.state = state
            switch state {
            case .acknowledged:
                changed.acknowledgedAt = now
                changed.acknowledgedBy = actor.name
            case .resolved:
                changed.resolvedAt = now
                changed.resolvedBy = actor.name
            case .triggered:
                break
            }
            let waited = now.timeIntervalSince(incident.createdAt)
            let finish: NotificationEvent? =
                if case .finish(let event) = EscalationEffect.afterCommand(movedTo: state) { event } else { nil }
            return Change(
                incident: changed,
                event: TimelineEvent(incidentID: id, at: now, kind: kind, actor: actor.name, channel: actor.channel, note: note),
                audit: AuditEvent(
                    at: now, kind: state == .resolved ? .incidentResolved : .incidentAcknowledged, actor: actor.name,
                    source: actor.channel, detail: "incident #\(id)" + (note.map { ": \($0)" } ?? "")),
                finish: finish,
                metrics: {
                    StoreMetrics.transition(to: state)
                    if state == .acknowledged {
                        StoreMetrics.timeToAcknowledge.recordDuration(.seconds(max(0, waited)))
                    }
                })
        }
    }
}
