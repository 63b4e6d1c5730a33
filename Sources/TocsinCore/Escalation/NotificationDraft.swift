import Foundation

/// Why a notification is sent; the webhook payload's `event` field.
public enum NotificationEvent: String, Sendable, Codable, CaseIterable {
    case triggered
    case escalated
    case reminder
    case acknowledged
    case resolved
    /// A note written on the incident, sent to those already paged (`tocsin note --notify`).
    case note

    /// The events that page someone (an escalation step's notifications), as opposed to the
    /// notices that tell those paged what became of the incident.
    public static let pages: [NotificationEvent] = [.triggered, .escalated, .reminder]

    /// Whether this event pages someone.
    public var isPage: Bool { Self.pages.contains(self) }
}

/// A notification decided by the engine, to be written to the outbox and delivered later.
///
/// `idempotencyKey` is unique per incident, epoch, pass, step, target and contact, so a step
/// can never queue the same page twice, and a receiver can drop a duplicate delivery.
public struct NotificationDraft: Sendable, Equatable {
    public var incidentID: Int64
    public var idempotencyKey: String
    public var event: NotificationEvent
    /// The policy target (`person:alice`, `channel:team-chat`) this contact belongs to.
    public var target: String
    public var contact: Contact
    /// Pages demand action now; informational notices and reminders do not.
    public var urgent: Bool
    public var subject: String
    public var body: String
    /// Which policy step queued it, e.g. `critical-immediate step 2/3`.
    public var step: String?
    /// When it may go out, for a step prepared ahead of its due time; nil: as soon as it is queued.
    public var notBefore: Date?
    /// How long after its step it goes out: a later notification rule of the person (0: with the step).
    public var delay: TimeInterval = 0

    public init(
        incidentID: Int64, idempotencyKey: String, event: NotificationEvent, target: String, contact: Contact,
        urgent: Bool, subject: String, body: String, step: String? = nil, notBefore: Date? = nil
    ) {
        self.step = step
        self.notBefore = notBefore
        self.incidentID = incidentID
        self.idempotencyKey = idempotencyKey
        self.event = event
        self.target = target
        self.contact = contact
        self.urgent = urgent
        self.subject = subject
        self.body = body
    }
}

/// The words of a notification: a subject such as `[CRITICAL] #42 Disk almost full on db1` and a short text.
public enum NotificationText {
    public static func subject(_ event: NotificationEvent, incident: Incident) -> String {
        let prefix =
            switch event {
            case .triggered, .escalated, .reminder: "[\(incident.severity.uppercased())]"
            case .acknowledged: "[ACKNOWLEDGED]"
            case .resolved: "[RESOLVED]"
            case .note: "[NOTE]"
            }
        let reminder = event == .reminder ? " (reminder)" : ""
        return "\(prefix) #\(incident.id ?? 0) \(incident.title)\(reminder)"
    }

    public static func body(_ event: NotificationEvent, incident: Incident, detail: String) -> String {
        var lines = [
            "Incident #\(incident.id ?? 0): \(incident.title)",
            "State: \(incident.state.rawValue), severity \(incident.severity), \(incident.firingCount) of \(incident.alertCount) alerts firing",
            detail,
        ]
        if incident.state == .triggered, event != .resolved, event != .note {
            lines.append("Acknowledge: tocsin ack \(incident.id ?? 0)")
        }
        return lines.joined(separator: "\n")
    }

    /// The detail a ``body(_:incident:detail:)`` was written with (`Policy p, step 2/3`,
    /// `Acknowledged by alice`, `Note from bob: …`): the body without the lines a page shows in
    /// its own way (the incident and its state, the CLI's acknowledge command). A body of another
    /// shape comes back whole.
    public static func detail(ofBody body: String) -> String {
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 2, lines[0].hasPrefix("Incident #"), lines[1].hasPrefix("State: ") else { return body }
        lines.removeFirst(2)
        if let last = lines.last, last.hasPrefix("Acknowledge: tocsin ack ") { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
