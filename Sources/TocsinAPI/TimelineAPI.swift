import Foundation
import TocsinCore

/// One line of an incident's history: what happened, when, who did it and through which channel.
public struct TimelineEntryResource: Codable, Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    public var at: Date
    public var kind: TimelineEvent.Kind
    /// A user name, or the source (`alertmanager`) for automatic events.
    public var actor: String
    /// How the actor reached Tocsin: `alertmanager`, `api`, `cli`, …
    public var channel: String
    public var note: String?
    /// For engine events: milliseconds between when the step was due and when it ran.
    public var latenessMs: Int?

    public init(
        id: Int64, incidentID: Int64, at: Date, kind: TimelineEvent.Kind, actor: String, channel: String,
        note: String? = nil, latenessMs: Int? = nil
    ) {
        self.id = id
        self.incidentID = incidentID
        self.at = at
        self.kind = kind
        self.actor = actor
        self.channel = channel
        self.note = note
        self.latenessMs = latenessMs
    }

    enum CodingKeys: String, CodingKey {
        case id, at, kind, actor, channel, note
        case incidentID = "incident_id"
        case latenessMs = "lateness_ms"
    }
}
