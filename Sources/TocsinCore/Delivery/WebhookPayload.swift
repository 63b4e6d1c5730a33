import Foundation

/// The JSON body Tocsin POSTs to webhook receivers, version 1.
///
/// ```json
/// {"version": "1", "event": "triggered", "idempotency_key": "incident-42/e0/p0/s0/person:alice/webhook:…",
///  "summary": "[CRITICAL] #42 Disk almost full on db1", "text": "…", "target": "person:alice",
///  "step": "critical-immediate step 1/3",
///  "incident": {"id": 42, "title": "…", "severity": "critical", "state": "triggered", "created_at": "…",
///               "acknowledged_at": null, "acknowledged_by": null, "resolved_at": null, "resolved_by": null,
///               "alert_count": 1, "firing_count": 1, "truncated_alerts": 0, "url": "…/ui/incidents/42"},
///  "alerts": [{"status": "firing", "fingerprint": "…", "labels": {…}, "annotations": {…},
///              "starts_at": "…", "ends_at": null, "generator_url": "…"}],
///  "links": {"ack": "…?token=…", "resolve": "…?token=…"},
///  "escalations": [{"policy": "critical-immediate", "summary": "step 2 of 3 next", "step_count": 3,
///                   "next_step": 2, "next_targets": ["bob"], "next_due_at": "…"}]}
/// ```
/// `text` says what a page says, briefly (``PageFacts/briefText``); `escalations` is there while
/// the incident is triggered and escalating. New fields may be added within a version; receivers
/// must ignore fields they do not know.
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
        /// The incident's page in the web console, for people.
        public var url: String
        /// The incident in the API (`GET` with a bearer token), for programs.
        public var apiURL: String?

        enum CodingKeys: String, CodingKey {
            case id, title, severity, state, url
            case apiURL = "api_url"
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

    /// Where one of the incident's escalations stands, and who it pages next if nobody acknowledges.
    public struct EscalationSummary: Codable, Sendable, Equatable {
        public var policy: String
        /// `step 2 of 3 next`, `step 1 of 3 next, pass 2 of 3`, or `every step run`.
        public var summary: String
        public var stepCount: Int
        /// The next step (1-based within its pass), who it pages and when; nil once every step ran.
        public var nextStep: Int?
        public var nextTargets: [String]
        public var nextDueAt: Date?

        enum CodingKeys: String, CodingKey {
            case policy, summary
            case stepCount = "step_count"
            case nextStep = "next_step"
            case nextTargets = "next_targets"
            case nextDueAt = "next_due_at"
        }

        public init(_ facts: PageFacts.EscalationFacts) {
            self.policy = facts.policy
            self.summary = facts.progress.summary
            self.stepCount = facts.progress.stepCount
            self.nextStep = facts.progress.next?.stepNumber
            self.nextTargets = facts.nextTargets
            self.nextDueAt = facts.progress.next?.dueAt
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
    /// The incident's live escalations while it is triggered; nil (left out) otherwise.
    public var escalations: [EscalationSummary]?

    enum CodingKeys: String, CodingKey {
        case version, event, summary, text, target, step, incident, alerts, links, escalations
        case idempotencyKey = "idempotency_key"
    }

    /// The payload of `entry` for `incident` and all its `alerts`, saying what `facts` say.
    public init(_ facts: PageFacts, entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert]) {
        self.event = entry.event
        self.idempotencyKey = entry.idempotencyKey
        self.summary = entry.subject
        self.text = facts.briefText
        self.target = entry.target
        self.step = entry.step
        self.incident = IncidentSummary(
            id: facts.incidentID, title: incident.title, severity: incident.severity, state: incident.state,
            createdAt: incident.createdAt, acknowledgedAt: incident.acknowledgedAt, acknowledgedBy: incident.acknowledgedBy,
            resolvedAt: incident.resolvedAt, resolvedBy: incident.resolvedBy, alertCount: incident.alertCount,
            firingCount: incident.firingCount, truncatedAlerts: incident.truncatedAlerts, url: facts.incidentURL)
        self.alerts = alerts.map {
            AlertSummary(
                status: $0.status, fingerprint: $0.fingerprint.description, labels: $0.labels, annotations: $0.annotations,
                startsAt: $0.startsAt, endsAt: $0.endsAt, generatorURL: $0.generatorURL)
        }
        self.links = facts.links
        self.escalations = facts.escalations.isEmpty ? nil : facts.escalations.map { EscalationSummary($0) }
    }

    /// The payload of `entry` for `incident` and its `alerts`, with times in UTC and no escalation.
    public init(entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], incidentURL: String, links: Links) {
        let facts = PageFacts(entry: entry, incident: incident, alerts: alerts, incidentURL: incidentURL, links: links)
        self.init(facts, entry: entry, incident: incident, alerts: alerts)
    }
}

/// A Slack incoming-webhook message: Block Kit `blocks` (``SlackBlock``), and `text`, which Slack
/// shows in notifications and receivers without blocks (Mattermost, Rocket.Chat) show instead.
public struct SlackMessage: Codable, Sendable, Equatable {
    public var text: String
    public var blocks: [SlackBlock]?

    public init(text: String, blocks: [SlackBlock]? = nil) {
        self.text = text
        self.blocks = blocks
    }

    /// Escapes `&`, `<` and `>` as Slack's mrkdwn requires: `<!channel>` or `<http://x|y>` in
    /// alert text stay text, never a mention or a link.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
