/// The state machine people drive: acknowledge and resolve.
///
/// Each function answers what a command does to an incident in a given state, without doing
/// it; the store applies the answer and records the timeline event.
public enum IncidentLifecycle {
    /// The outcome of a command.
    public enum Transition: Equatable, Sendable {
        /// The incident moves to this state.
        case moves(to: IncidentState)
        /// Already there: repeating the command changes nothing.
        case unchanged
        /// Not allowed from this state, with a message for the person who asked.
        case rejected(reason: String)
    }

    /// What `ack` does: triggered → acknowledged; acknowledged stays; resolved is refused.
    public static func acknowledge(from state: IncidentState) -> Transition {
        switch state {
        case .triggered: .moves(to: .acknowledged)
        case .acknowledged: .unchanged
        case .resolved: .rejected(reason: "the incident is already resolved and cannot be acknowledged")
        }
    }

    /// The incident once an acknowledgement expired unanswered: triggered again, as if nobody
    /// had acknowledged it.
    public static func acknowledgementExpired(_ incident: Incident) -> Incident {
        var triggered = incident
        triggered.state = .triggered
        triggered.acknowledgedAt = nil
        triggered.acknowledgedBy = nil
        return triggered
    }

    /// What `resolve` does: any open state → resolved; resolved stays.
    public static func resolve(from state: IncidentState) -> Transition {
        switch state {
        case .triggered, .acknowledged: .moves(to: .resolved)
        case .resolved: .unchanged
        }
    }
}
