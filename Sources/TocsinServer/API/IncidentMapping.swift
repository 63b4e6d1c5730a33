import Foundation
import TocsinAPI
import TocsinCore
import TocsinStore

// Domain values to the API's incident types. Ids are optional in the domain types only until a
// row is stored; everything the API answers was read from the database, so they are set (0 would
// mean a value that was never stored).

extension IncidentResource {
    /// `inMaintenance` is set in listings only (true, or absent).
    init(_ incident: Incident, inMaintenance: Bool = false) {
        self.init(
            id: incident.id ?? 0, title: incident.title, severity: incident.severity, state: incident.state,
            source: incident.source, receiver: incident.receiver, groupKey: incident.groupKey,
            groupLabels: incident.groupLabels, externalURL: incident.externalURL, createdAt: incident.createdAt,
            lastSeenAt: incident.lastSeenAt, acknowledgedAt: incident.acknowledgedAt,
            acknowledgedBy: incident.acknowledgedBy, resolvedAt: incident.resolvedAt, resolvedBy: incident.resolvedBy,
            alertCount: incident.alertCount, firingCount: incident.firingCount, truncatedAlerts: incident.truncatedAlerts,
            drillRun: incident.drillRun, correlationID: incident.correlationID, inMaintenance: inMaintenance ? true : nil)
    }
}

extension IncidentListResource {
    init(_ page: IncidentPage) {
        self.init(
            incidents: page.incidents.map { IncidentResource($0, inMaintenance: $0.id.map(page.inMaintenance.contains) ?? false) },
            nextBefore: page.nextBefore)
    }
}

extension IncidentDetailResource {
    /// The detail as any token that may read sees it: notifications and escalations redacted
    /// (see ``DeliveryResource/init(_:)`` and ``EscalationResource/init(_:)``).
    init(_ detail: IncidentDetail) {
        self.init(
            incident: IncidentResource(detail.incident),
            alerts: detail.alerts.map { AlertResource($0, heldBy: detail.maintenanceHolds[$0.fingerprint]) },
            timeline: detail.timeline.map(TimelineEntryResource.init),
            escalations: detail.escalations.map(EscalationResource.init),
            notifications: detail.notifications.map(DeliveryResource.init),
            attempts: detail.attempts.map(DeliveryAttemptResource.init),
            maintenanceWindowIDs: detail.maintenanceHolds.isEmpty ? nil : Set(detail.maintenanceHolds.values).sorted())
    }
}

extension IncidentCommandResultResource {
    init(_ result: IncidentCommandResult) {
        self.init(incident: IncidentResource(result.incident), changed: result.changed)
    }
}

extension AlertResource {
    /// An alert of an incident; `heldBy` is the maintenance window holding it back, if any.
    init(_ alert: IncidentAlert, heldBy window: Int64? = nil) {
        self.init(
            id: alert.id ?? 0, incidentID: alert.incidentID, fingerprint: alert.fingerprint.description,
            status: alert.status, labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt,
            endsAt: alert.endsAt, generatorURL: alert.generatorURL, firstSeenAt: alert.firstSeenAt,
            lastSeenAt: alert.lastSeenAt, maintenanceWindowID: window)
    }
}

extension TimelineEntryResource {
    init(_ event: TimelineEvent) {
        self.init(
            id: event.id ?? 0, incidentID: event.incidentID ?? 0, at: event.at, kind: event.kind, actor: event.actor,
            channel: event.channel, note: event.note, latenessMs: event.latenessMs)
    }
}
