/// What a change to an incident means for its escalations: the engine's one decision after an
/// ingest or a person's command, which the store then carries out in the same transaction.
public enum EscalationEffect: Sendable, Equatable {
    /// A new incident: start every policy its alerts route to; a first step due now goes out
    /// with the commit that opened it.
    case start
    /// An acknowledged incident fired again: every running escalation restarts from its first
    /// step, policies newly routed to start, and whatever is due now runs.
    case restart
    /// A triggered incident gained alerts that route to policies not yet running: those start
    /// at once; the running ones keep their timers.
    case startJoined
    /// Acknowledged or resolved: steps prepared ahead are taken back, escalation pauses (ack) or
    /// stops (resolve), unsent pages are cancelled, and everyone paged is told.
    case finish(NotificationEvent)
    /// Nothing changes for the escalations.
    case none

    /// The effect of an ingest that moved the incident from `before` (nil: it did not exist) to
    /// `after`, with `startsPolicies` when some alert routes to a policy not yet running on it.
    public static func afterIngest(before: IncidentState?, after: IncidentState, startsPolicies: Bool) -> EscalationEffect {
        switch (before, after) {
        case (nil, _): .start
        case (.acknowledged?, .triggered): .restart
        case (let before?, .resolved) where before.isOpen: .finish(.resolved)
        case (.triggered?, .triggered) where startsPolicies: .startJoined
        default: .none
        }
    }

    /// The effect of a person's command that moved the incident to `state`.
    public static func afterCommand(movedTo state: IncidentState) -> EscalationEffect {
        switch state {
        case .acknowledged: .finish(.acknowledged)
        case .resolved: .finish(.resolved)
        case .triggered: .none
        }
    }
}
