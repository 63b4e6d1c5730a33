import Foundation
import TocsinCore
import TocsinDelivery
import TocsinStore

/// The incident page (`/ui/incidents/{id}`): its state, its alerts with their labels and links,
/// the escalation with its next step, every notification and the timeline; and the actions the
/// session may take.
struct IncidentPageView: Sendable {
    /// The forms, shown to a session with the respond scope while the incident is open.
    struct Actions: Sendable {
        let id: Int64
        let csrf: String
        let canAcknowledge: Bool
        let people: [String]
        let schedules: [String]
    }

    struct EscalationRow: Sendable {
        struct Next: Sendable {
            let targets: String
            let dueAt: String
            let dueText: String
            let dueIn: String
            let unacknowledged: Bool
        }
        let policy: String
        let startedBy: String?
        let progress: String
        let next: Next?
    }

    struct Link: Sendable {
        let label: String
        let url: String
    }

    struct Label: Sendable {
        let name: String
        let value: String
    }

    struct AlertRow: Sendable {
        let name: String
        let status: String
        let statusClass: String
        let startsAt: String
        let startsText: String
        let inMaintenance: Bool
        let description: String?
        let links: [Link]
        let hasLinks: Bool
        let labels: [Label]
    }

    struct TimelineRow: Sendable {
        let at: String
        let atText: String
        let kind: String
        let actor: String?
        let note: String?
    }

    let layout: ConsoleLayout
    let id: Int64
    let title: String
    let severity: String
    let severityClass: String
    let state: String
    let inMaintenance: Bool
    let drill: String?
    let openedAt: String
    let openedText: String
    let age: String
    let firing: Int
    let alertCount: Int
    let truncated: Int?
    let source: String
    let receiver: String
    let acknowledgedBy: String?
    let acknowledgedAt: String?
    let acknowledgedText: String?
    let resolvedBy: String?
    let resolvedAt: String?
    let resolvedText: String?
    let externalURL: String?
    let actions: Actions?
    let escalations: [EscalationRow]
    let alerts: [AlertRow]
    let moreAlerts: Int?
    let notifications: [NotificationRowView]
    let timeline: [TimelineRow]

    /// The most alerts the page lists; the rest are counted.
    static let alertLimit = 100

    init(_ detail: IncidentDetail, layout: ConsoleLayout, configuration: TocsinConfiguration, now: Date) {
        let incident = detail.incident
        self.layout = layout
        id = incident.id ?? 0
        title = incident.title
        severity = incident.severity
        severityClass = ConsoleText.severityClass(incident.severity)
        state = incident.state.rawValue
        inMaintenance = !detail.maintenanceHolds.isEmpty
        drill = incident.drillRun
        let opened = ConsoleTime(incident.createdAt)
        openedAt = opened.iso
        openedText = opened.text
        age = ReadableTime.span(now.timeIntervalSince(incident.createdAt))
        firing = incident.firingCount
        alertCount = incident.alertCount
        truncated = incident.truncatedAlerts > 0 ? incident.truncatedAlerts : nil
        source = incident.source
        receiver = incident.receiver
        let acknowledged = incident.state == .acknowledged ? incident.acknowledgedAt.map(ConsoleTime.init) : nil
        acknowledgedBy = incident.state == .acknowledged ? incident.acknowledgedBy : nil
        acknowledgedAt = acknowledged?.iso
        acknowledgedText = acknowledged?.text
        let resolved = incident.state == .resolved ? incident.resolvedAt.map(ConsoleTime.init) : nil
        resolvedBy = incident.state == .resolved ? (incident.resolvedBy ?? "its alerts") : nil
        resolvedAt = resolved?.iso
        resolvedText = resolved?.text
        externalURL = ConsoleText.safeLink(incident.externalURL)
        actions = layout.canRespond && incident.state.isOpen
            ? Actions(
                id: incident.id ?? 0, csrf: layout.csrf, canAcknowledge: incident.state == .triggered,
                people: configuration.people.filter { !$0.contacts.isEmpty }.map(\.name),
                schedules: configuration.schedules.map(\.name))
            : nil
        escalations = incident.state.isOpen ? detail.escalations.map { Self.escalationRow($0, state: incident.state, now: now) } : []
        alerts = detail.alerts.prefix(Self.alertLimit).map { Self.alertRow($0, held: detail.maintenanceHolds[$0.fingerprint] != nil) }
        moreAlerts = detail.alerts.count > Self.alertLimit ? detail.alerts.count - Self.alertLimit : nil
        notifications = detail.notifications.reversed().map(NotificationRowView.init)
        timeline = detail.timeline.reversed().map { event in
            let at = ConsoleTime(event.at)
            return TimelineRow(
                at: at.iso, atText: at.text, kind: event.kind.rawValue.replacingOccurrences(of: "_", with: " "),
                actor: event.actor.isEmpty ? nil : event.actor, note: event.note)
        }
    }

    private static func escalationRow(_ escalation: Escalation, state: IncidentState, now: Date) -> EscalationRow {
        let progress = EscalationProgress(escalation)
        let next = progress.next.map { next in
            let due = ConsoleTime(next.dueAt)
            return EscalationRow.Next(
                targets: "step \(next.stepNumber): " + next.targets.map(\.readable).joined(separator: ", "), dueAt: due.iso,
                dueText: due.text, dueIn: ReadableTime.span(next.dueAt.timeIntervalSince(now)), unacknowledged: state == .triggered)
        }
        return EscalationRow(policy: escalation.policyName, startedBy: escalation.startedBy, progress: progress.summary, next: next)
    }

    private static func alertRow(_ alert: IncidentAlert, held: Bool) -> AlertRow {
        var links: [Link] = []
        if let url = ConsoleText.safeLink(alert.generatorURL) { links.append(Link(label: "Source", url: url)) }
        if let runbook = alert.annotations["runbook_url"].flatMap(ConsoleText.safeLink) { links.append(Link(label: "Runbook", url: runbook)) }
        links += AlertListing.sourceLinks([alert.annotations]).map { Link(label: $0.label, url: $0.url) }
        let starts = ConsoleTime(alert.startsAt)
        let labels = alert.labels.sorted { $0.key < $1.key }.map { Label(name: $0.key, value: $0.value) }
            + alert.annotations.sorted { $0.key < $1.key }.map { Label(name: "annotation \($0.key)", value: $0.value) }
        return AlertRow(
            name: alert.annotations["summary"] ?? alert.labels["alertname"] ?? alert.fingerprint.description,
            status: alert.status.rawValue, statusClass: alert.status == .firing ? "triggered" : "resolved",
            startsAt: starts.iso, startsText: starts.text, inMaintenance: held,
            description: alert.annotations["description"] ?? alert.annotations["message"], links: links, hasLinks: !links.isEmpty,
            labels: labels)
    }
}
