import Foundation
import TocsinCore

/// An incident as the API shows it: `GET /api/v1/incidents[/ID]`, and inside command answers.
public struct IncidentResource: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    /// The highest `severity` label among the incident's alerts (`none` when no alert has one).
    public var severity: String
    public var state: IncidentState
    public var source: String
    public var receiver: String
    public var groupKey: String
    public var groupLabels: [String: String]
    public var externalURL: String
    public var createdAt: Date
    public var lastSeenAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    public var alertCount: Int
    public var firingCount: Int
    /// Alerts the source left out of its last payload, or past the per-incident limit.
    public var truncatedAlerts: Int
    /// The live drill run the incident belongs to, if any.
    public var drillRun: String?
    /// The correlation id (`X-Request-Id`) of the request that opened the incident.
    public var correlationID: String?

    public init(
        id: Int64, title: String, severity: String, state: IncidentState, source: String, receiver: String,
        groupKey: String, groupLabels: [String: String], externalURL: String, createdAt: Date, lastSeenAt: Date,
        acknowledgedAt: Date? = nil, acknowledgedBy: String? = nil, resolvedAt: Date? = nil, resolvedBy: String? = nil,
        alertCount: Int, firingCount: Int, truncatedAlerts: Int, drillRun: String? = nil, correlationID: String? = nil
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.state = state
        self.source = source
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.externalURL = externalURL
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.alertCount = alertCount
        self.firingCount = firingCount
        self.truncatedAlerts = truncatedAlerts
        self.drillRun = drillRun
        self.correlationID = correlationID
    }

    enum CodingKeys: String, CodingKey {
        case id, title, severity, state, source, receiver
        case groupKey = "group_key"
        case groupLabels = "group_labels"
        case externalURL = "external_url"
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
        case resolvedAt = "resolved_at"
        case resolvedBy = "resolved_by"
        case alertCount = "alert_count"
        case firingCount = "firing_count"
        case truncatedAlerts = "truncated_alerts"
        case drillRun = "drill_run"
        case correlationID = "correlation_id"
    }
}

/// One page of `GET /api/v1/incidents`, newest first.
public struct IncidentListResource: Codable, Sendable, Equatable {
    /// The most incidents one page holds (`limit` above it is refused).
    public static let maxPageSize = 500

    public var incidents: [IncidentResource]
    /// Pass as `before` to get the next page; absent on the last page.
    public var nextBefore: Int64?

    public init(incidents: [IncidentResource], nextBefore: Int64? = nil) {
        self.incidents = incidents
        self.nextBefore = nextBefore
    }

    enum CodingKeys: String, CodingKey {
        case incidents
        case nextBefore = "next_before"
    }
}

/// `GET /api/v1/incidents/ID`: an incident with its alerts, timeline, escalations and deliveries.
public struct IncidentDetailResource: Codable, Sendable, Equatable {
    public var incident: IncidentResource
    /// Firing alerts first, then resolved ones; each group by first sighting.
    public var alerts: [AlertResource]
    /// Oldest event first.
    public var timeline: [TimelineEntryResource]
    public var escalations: [EscalationResource]
    /// Every notification decided for the incident, oldest first.
    public var notifications: [DeliveryResource]
    /// Every delivery attempt of those notifications, oldest first.
    public var attempts: [DeliveryAttemptResource]

    public init(
        incident: IncidentResource, alerts: [AlertResource], timeline: [TimelineEntryResource],
        escalations: [EscalationResource], notifications: [DeliveryResource], attempts: [DeliveryAttemptResource]
    ) {
        self.incident = incident
        self.alerts = alerts
        self.timeline = timeline
        self.escalations = escalations
        self.notifications = notifications
        self.attempts = attempts
    }

    enum CodingKeys: String, CodingKey {
        case incident, alerts, timeline, escalations, notifications, attempts
    }
}

/// The optional body of `POST /api/v1/incidents/ID/ack` and `…/resolve`.
public struct IncidentCommandBody: Codable, Sendable, Equatable {
    /// A note for the timeline.
    public var note: String?
    /// How the user reached Tocsin (`cli`, `api`); the server takes `api` when absent.
    public var channel: String?

    public init(note: String? = nil, channel: String? = nil) {
        self.note = note
        self.channel = channel
    }

    enum CodingKeys: String, CodingKey {
        case note, channel
    }
}

/// The answer to an acknowledge or resolve command.
public struct IncidentCommandResultResource: Codable, Sendable, Equatable {
    public var incident: IncidentResource
    /// False when the incident was already in the requested state (the command was a no-op).
    public var changed: Bool

    public init(incident: IncidentResource, changed: Bool) {
        self.incident = incident
        self.changed = changed
    }

    enum CodingKeys: String, CodingKey {
        case incident, changed
    }
}
