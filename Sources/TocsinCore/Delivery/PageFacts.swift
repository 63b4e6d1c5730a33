import Foundation

/// What every format of a notification says (the email's HTML and text parts, the Slack message,
/// the webhook's `text`), gathered once from the outbox entry, its incident, the incident's alerts
/// and live escalations, so that the formats differ in layout only.
///
/// Times are shown in the recipient's zone. Every string here is as the source sent it: each
/// format escapes for itself. Links an alert brings are kept only when they are http(s) URLs.
public struct PageFacts: Sendable, Equatable {
    /// How many alerts a page shows; the rest are counted (`… and 3 more`).
    public static let alertLimit = 10
    /// The longest description a page shows, in characters.
    public static let descriptionLimit = 2000
    /// The longest label value a page shows, in characters.
    public static let labelValueLimit = 200

    /// One label a page shows for an alert.
    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        /// `instance=db1:9100`.
        public var text: String { "\(name)=\(value)" }
    }

    /// A link a page shows: an http(s) URL and what it is (`Runbook`, `Source`, `Dashboard`, `Panel`).
    public struct Link: Sendable, Equatable {
        public var label: String
        public var url: String

        /// The link, or nil when `url` is not one a page may link to (``AlertListing/isWebURL(_:)``).
        public init?(label: String, url: String?) {
            guard let url, AlertListing.isWebURL(url) else { return nil }
            self.label = label
            self.url = url
        }
    }

    /// One alert as a page shows it.
    public struct AlertFacts: Sendable, Equatable {
        public var status: AlertStatus
        /// Its summary, else its name, else its fingerprint.
        public var name: String
        /// The labels that tell it apart from the incident's other alerts (``AlertListing/shownLabels(_:)``).
        public var labels: [Label]
        /// Its `description` (else `message`) annotation, at most ``PageFacts/descriptionLimit`` characters.
        public var description: String?
        public var startsAt: Date
        public var endsAt: Date?
        /// Runbook (`runbook_url`), source (the generator URL), dashboard and panel: http(s) only.
        public var links: [Link]

        /// `[firing] Nodes down in eu2 (instance=db1:9100)`.
        public var line: String {
            "[\(status.rawValue)] \(name)" + (labels.isEmpty ? "" : " (\(labels.map(\.text).joined(separator: ", ")))")
        }
    }

    /// Where one of the incident's escalations stands, and who it pages next if nobody acknowledges.
    public struct EscalationFacts: Sendable, Equatable {
        public var policy: String
        public var progress: EscalationProgress
        /// Who the next step pages, as people read it (`alice`, `channel ops`, `whoever is on call on primary`).
        public var nextTargets: [String]
        /// `critical-immediate: step 2 of 3 next: bob at Fri 27 Nov 18:25 CET (in 5m), if nobody acknowledges`.
        public var line: String
    }

    /// Something the reader can do from the page.
    public struct Action: Sendable, Equatable {
        /// Which action.
        public enum Kind: String, Sendable, CaseIterable {
            case acknowledge, resolve, open
        }

        public var kind: Kind
        public var url: String

        /// `Acknowledge`, `Resolve`, `Open incident`.
        public var label: String {
            switch kind {
            case .acknowledge: "Acknowledge"
            case .resolve: "Resolve"
            case .open: "Open incident"
            }
        }
    }

    public var event: NotificationEvent
    /// `[CRITICAL] #42 Disk almost full on db1`.
    public var subject: String
    public var incidentID: Int64
    public var title: String
    public var severity: String
    public var state: IncidentState
    public var firingCount: Int
    public var alertCount: Int
    /// When the incident opened.
    public var firedAt: Date
    /// The recipient's zone, every time is shown in.
    public var timeZone: TimeZone
    /// Why this notification: `Policy critical-immediate, step 1/3`, `Acknowledged by alice`, a note.
    public var detail: String
    /// The alerts shown, firing ones first, at most ``alertLimit``.
    public var alerts: [AlertFacts]
    /// The alerts not shown.
    public var moreAlerts: Int
    /// The incident's live escalations while it is triggered (empty once someone acknowledged).
    public var escalations: [EscalationFacts]
    /// Acknowledge and resolve (signed links, those that make sense after this event), and open the incident.
    public var actions: [Action]
    public var incidentURL: String
    /// The signed links, as the webhook payload carries them.
    public var links: WebhookPayload.Links
    /// When the page was decided: `in 5m` counts from it.
    public var now: Date

    /// The facts of `entry` for `incident`, its `alerts` and its live `escalations`, with times in
    /// `timeZone` and counted from `now` (default: when the entry was queued).
    public init(
        entry: OutboxEntry, incident: Incident, alerts: [IncidentAlert], escalations: [Escalation] = [],
        incidentURL: String, links: WebhookPayload.Links, timeZone: TimeZone = ReadableTime.utc, now: Date? = nil
    ) {
        let reference = now ?? entry.createdAt
        self.event = entry.event
        self.subject = entry.subject
        self.incidentID = incident.id ?? entry.incidentID
        self.title = incident.title
        self.severity = incident.severity
        self.state = incident.state
        self.firingCount = incident.firingCount
        self.alertCount = incident.alertCount
        self.firedAt = incident.createdAt
        self.timeZone = timeZone
        self.detail = NotificationText.detail(ofBody: entry.body)
        self.incidentURL = incidentURL
        self.links = links
        self.now = reference
        let shown = Self.firingFirst(alerts).prefix(Self.alertLimit)
        let labelNames = AlertListing.shownLabels(alerts.map(\.labels))
        self.alerts = shown.map { Self.facts(of: $0, labelNames: labelNames) }
        self.moreAlerts = alerts.count - shown.count
        self.escalations =
            incident.state == .triggered
            ? escalations.map { Self.facts(of: $0, in: timeZone, now: reference) } : []
        var actions: [Action] = []
        if let ack = links.ack { actions.append(Action(kind: .acknowledge, url: ack)) }
        if let resolve = links.resolve { actions.append(Action(kind: .resolve, url: resolve)) }
        actions.append(Action(kind: .open, url: incidentURL))
        self.actions = actions
    }

    /// What the page leads with: the severity (`CRITICAL`; `ALERT` when no alert had one) for a
    /// page, what happened (`ACKNOWLEDGED`, `RESOLVED`, `NOTE`) for a notice.
    public var badge: String {
        switch event {
        case .triggered, .escalated, .reminder: severity == Severity.none.label ? "ALERT" : severity.uppercased()
        case .acknowledged: "ACKNOWLEDGED"
        case .resolved: "RESOLVED"
        case .note: "NOTE"
        }
    }

    /// `Incident #42 · triggered · critical · 2 of 3 alerts firing`.
    public var stateLine: String {
        let firing = "\(firingCount) of \(alertCount) alert\(alertCount == 1 ? "" : "s") firing"
        return "Incident #\(incidentID) · \(state.rawValue) · \(severity) · \(firing)"
    }

    /// `Fri 27 Nov 18:20 CET`.
    public var firedAtText: String { time(firedAt) }

    /// `date` as the recipient reads it.
    public func time(_ date: Date) -> String {
        ReadableTime.format(date, in: timeZone)
    }

    /// `… and 3 more`, when alerts were left out.
    public var moreAlertsLine: String? {
        moreAlerts > 0 ? "… and \(moreAlerts) more" : nil
    }

    /// `since Fri 27 Nov 18:18 CET`, or `resolved Fri 27 Nov 18:30 CET`.
    public func when(_ alert: AlertFacts) -> String {
        if alert.status == .resolved, let ended = alert.endsAt { return "resolved \(time(ended))" }
        return "since \(time(alert.startsAt))"
    }

    /// The action of `kind`, if the page offers it.
    public func action(_ kind: Action.Kind) -> Action? {
        actions.first { $0.kind == kind }
    }

    // MARK: - Gathering

    /// Firing alerts first, each group in its given order.
    static func firingFirst(_ alerts: [IncidentAlert]) -> [IncidentAlert] {
        alerts.enumerated().sorted { lhs, rhs in
            let (left, right) = (lhs.element.status == .firing, rhs.element.status == .firing)
            return left != right ? left : lhs.offset < rhs.offset
        }.map(\.element)
    }

    static func facts(of alert: IncidentAlert, labelNames: [String]) -> AlertFacts {
        let labels = labelNames.compactMap { name in
            alert.labels[name].map { Label(name: name, value: clipped($0, to: labelValueLimit)) }
        }
        let description = (alert.annotations["description"] ?? alert.annotations["message"])
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { text -> String? in text.isEmpty ? nil : clipped(text, to: descriptionLimit) }
        var links = [
            Link(label: "Runbook", url: alert.annotations["runbook_url"]),
            Link(label: "Source", url: alert.generatorURL),
        ].compactMap { $0 }
        links += AlertListing.sourceLinks([alert.annotations]).compactMap { Link(label: $0.label, url: $0.url) }
        return AlertFacts(
            status: alert.status, name: AlertListing.name(of: alert), labels: labels, description: description,
            startsAt: alert.startsAt, endsAt: alert.endsAt, links: links)
    }

    static func facts(of escalation: Escalation, in zone: TimeZone, now: Date) -> EscalationFacts {
        let progress = EscalationProgress(escalation)
        var line = "\(escalation.policyName): \(progress.summary)"
        var targets: [String] = []
        if let next = progress.next {
            targets = next.targets.map(\.readable)
            let due = next.dueAt.timeIntervalSince(now)
            let when = ReadableTime.format(next.dueAt, in: zone) + (due > 0 ? " (in \(ReadableTime.span(due)))" : "")
            line += ": \(targets.isEmpty ? "nobody" : targets.joined(separator: ", ")) at \(when), if nobody acknowledges"
        }
        return EscalationFacts(policy: escalation.policyName, progress: progress, nextTargets: targets, line: line)
    }

    /// `text`, cut to `limit` characters with `…` when longer.
    public static func clipped(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(limit - 1, 0))) + "…"
    }
}
