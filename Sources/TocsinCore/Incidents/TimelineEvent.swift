import Foundation

/// One line of an incident's history: what happened, when, who did it and through which channel.
public struct TimelineEvent: Codable, Sendable, Equatable {
    /// What kind of thing happened.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case opened
        case alertsAdded = "alerts_added"
        case alertsResolved = "alerts_resolved"
        case alertsRefired = "alerts_refired"
        case retriggered
        case acknowledged
        case resolved
        /// An escalation step ran: who was notified, how, and how late.
        case notified
        /// An acknowledgement timed out; the incident is triggered again.
        case acknowledgementExpired = "acknowledgement_expired"
        /// An alert joining an open incident routed to a policy not yet running on it, which started.
        case escalationStarted = "escalation_started"
        /// A policy ran all its steps and repeats without an acknowledgement.
        case escalationExhausted = "escalation_exhausted"
        /// Someone wrote a note on the incident.
        case note
        /// Someone escalated the incident by hand: its next step (or a chosen one) ran at once.
        case escalatedByHand = "escalated_by_hand"
        /// Alerts started firing while a maintenance window held them: nobody was paged.
        case heldByMaintenance = "held_by_maintenance"
        /// A maintenance window closed: the alerts it held that still fire were paged as new.
        case maintenanceEnded = "maintenance_ended"
    }

    public var id: Int64?
    public var incidentID: Int64?
    public var at: Date
    public var kind: Kind
    /// A user name, or the source (`alertmanager`) for automatic events.
    public var actor: String
    /// How the actor reached Tocsin: `alertmanager`, `api`, `cli`, …
    public var channel: String
    public var note: String?
    /// For engine events: milliseconds between when the step was due and when it ran.
    public var latenessMs: Int?

    public init(
        id: Int64? = nil, incidentID: Int64? = nil, at: Date, kind: Kind, actor: String, channel: String,
        note: String? = nil, latenessMs: Int? = nil
    ) {
        self.latenessMs = latenessMs
        self.id = id
        self.incidentID = incidentID
        self.at = at
        self.kind = kind
        self.actor = actor
        self.channel = channel
        self.note = note
    }

    public enum CodingKeys: String, CodingKey {
        case id, at, kind, actor, channel, note
        case incidentID = "incident_id"
        case latenessMs = "lateness_ms"
    }
}
