import Foundation

/// The JSON body Tocsin POSTs to webhook receivers, version 1.
///
/// ```json
/// {"version": "1", "event": "triggered", "idempotency_key": "incident-42/e0/p0/s0/person:alice/webhook:…",
///  "summary": "[CRITICAL] #42 Disk almost full on db1", "text": "…", "target": "person:alice",
///  "step": "critical-immediate step 1/3",
///  "incident": {"id": 42, "title": "…", "severity": "critical", "state": "triggered", "created_at": "…",
///               "acknowledged_at": null, "acknowledged_by": null, "resolved_at": null, "resolved_by": null,
///               "alert_count": 1, "firing_count": 1, "truncated_alerts": 0, "url": "…/api/v1/incidents/42"},
///  "alerts": [{"status": "firing", "fingerprint": "…", "labels": {…}, "annotations": {…},
///              "starts_at": "…", "ends_at": null, "generator_url": "…"}],
///  "links": {"ack": "…?token=…", "resolve": "…?token=…"}}
/// ```
/// New fields may be added within a version; receivers must ignore fields they do not know.
public struct WebhookPayload: Codable, Sendable, Equatable {
    public static let currentVersion = "1"

    /// The incident as the receiver sees it.
    public struct IncidentSummary: Codable, Sendable, Equatable {
        public var id: Int64
        public var title: String
        public var severity: String
        public var state: IncidentState
        public var createdAt: Date
        public var acknowledgedAt: Date?
        public var acknowledgedBy: String?
        public var resolvedAt: Date?
        public var resolvedBy: String?
        public var alertCount: Int
        public var firingCount: Int
        public var truncatedAlerts: Int
        public var url: String

        enum CodingKeys: String, CodingKey {
            case id, title, severity, state, url
            case createdAt = "created_at"
            case acknowledgedAt = "acknowledged_at"
            case acknowledgedBy = "acknowledged_by"
            case resolvedAt = "resolved_at"
            case resolvedBy = "resolved_by"
            case alertCount = "alert_count"
            case firingCount = "firing_count"
            case truncatedAlerts = "truncated_alerts"
        }
    }

    /// One alert of the incident.
    public struct AlertSummary: Codable, Sendable, Equatable {
        public var status: AlertStatus
        public var fingerprint: String
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: Date
        public var endsAt: Date?
        public var generatorURL: String

        enum CodingKeys: String, CodingKey {
            case status, fingerprint, labels, annotations
            case startsAt = "starts_at"
            case endsAt = "ends_at"
            case generatorURL = "generator_url"
        }
    }

    /// Signed one-click links (each opens a confirmation page; nothing changes on GET).
    public struct Links: Codable, Sendable, Equatable {
        public var ack: String?
        public var resolve: String?

        public init(ack: String? = nil, resolve: String? = nil) {
            self.ack = ack
            self.resolve = resolve
        }
    }

    public var version = WebhookPayload.currentVersion
    public var event: NotificationEvent
    public var idempotencyKey: String
    public var summary: String
    public var text: String
    public var target: String
    public var step: String?
    public var incident: IncidentSummary
    public var alerts: [AlertSummary]
    public var links: Links

    enum CodingKeys: String, CodingKey {
        case version, event, summary, text, target, step, incident, alerts, links
        case idempotencyKey = "idempotency_key"
    }

    /// Builds the payload of `entry` for `incident` and its `alerts`.
    public init(entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], incidentURL: String, links: Links) {
        self.event = entry.event
        self.idempotencyKey = entry.idempotencyKey
        self.summary = entry.subject
        let listed = AlertListing.lines(alerts)
        self.text = entry.body + (listed.isEmpty ? "" : "\nAlerts:\n" + listed.map { "- \($0)" }.joined(separator: "\n"))
        self.target = entry.target
        self.step = entry.step
        self.incident = IncidentSummary(
            id: incident.id ?? 0, title: incident.title, severity: incident.severity, state: incident.state,
            createdAt: incident.createdAt, acknowledgedAt: incident.acknowledgedAt, acknowledgedBy: incident.acknowledgedBy,
            resolvedAt: incident.resolvedAt, resolvedBy: incident.resolvedBy, alertCount: incident.alertCount,
            firingCount: incident.firingCount, truncatedAlerts: incident.truncatedAlerts, url: incidentURL)
        self.alerts = alerts.map {
            AlertSummary(
                status: $0.status, fingerprint: $0.fingerprint.description, labels: $0.labels, annotations: $0.annotations,
                startsAt: $0.startsAt, endsAt: $0.endsAt, generatorURL: $0.generatorURL)
        }
        self.links = links
    }

    /// The payload as Slack-compatible incoming-webhook JSON (`format: slack`).
    public func slackMessage() -> SlackMessage {
        // `text` already lists the alerts, each with the labels that tell it apart.
        var lines = ["*\(SlackMessage.escape(summary))*", SlackMessage.escape(text)]
        var actions: [String] = []
        if let ack = links.ack { actions.append("<\(ack)|Acknowledge>") }
        if let resolve = links.resolve { actions.append("<\(resolve)|Resolve>") }
        actions.append("<\(incident.url)|Incident #\(incident.id)>")
        for link in AlertListing.sourceLinks(alerts.sorted { $0.status == .firing && $1.status != .firing }.map(\.annotations)) {
            actions.append("<\(link.url)|\(link.label)>")
        }
        lines.append(actions.joined(separator: " · "))
        return SlackMessage(text: lines.joined(separator: "\n"))
    }
}

/// A Slack incoming-webhook message.
public struct SlackMessage: Codable, Sendable, Equatable {
    public var text: String

    /// Escapes `&`, `<` and `>` as Slack's mrkdwn requires.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
