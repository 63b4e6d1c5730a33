import Foundation

/// A group of alerts that needs a human: the unit people acknowledge and resolve.
///
/// Keyed by `(receiver, groupKey)` while open; `id` is a small integer people can type
/// (`tocsin ack 42`).
public struct Incident: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64?
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
    /// How many alerts the incident holds, and how many of them still fire.
    public var alertCount: Int
    public var firingCount: Int
    /// Alerts the source left out of its last payload (Alertmanager's `max_alerts`).
    public var truncatedAlerts: Int
    /// The live drill run this incident belongs to (its alerts carry `tocsin_drill`), if any.
    public var drillRun: String?
    /// The correlation id (`X-Request-Id`) of the request that opened the incident.
    public var correlationID: String?

    public init(
        id: Int64? = nil, title: String, severity: String, state: IncidentState, source: String,
        receiver: String, groupKey: String, groupLabels: [String: String], externalURL: String,
        createdAt: Date, lastSeenAt: Date, acknowledgedAt: Date? = nil, acknowledgedBy: String? = nil,
        resolvedAt: Date? = nil, resolvedBy: String? = nil, alertCount: Int, firingCount: Int, truncatedAlerts: Int,
        drillRun: String? = nil
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
    }

    public enum CodingKeys: String, CodingKey {
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
