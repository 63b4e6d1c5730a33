import Foundation
import TocsinCore

/// What closing maintenance window `windowID` does to one incident whose alerts it held,
/// decided once for both stores: the alerts another open window holds on, how many are paged as
/// new, and the policies they start that the incident does not run yet.
struct MaintenanceRelease {
    var windowID: Int64
    /// Alerts another open window still holds.
    var still: [Fingerprint: MaintenanceWindow] = [:]
    /// Alerts paged as new.
    var paged = 0
    var started: [EscalationPolicy] = []

    /// `held`: the incident's alerts under the window that still fire (fingerprint, labels as stored).
    init(
        windowID: Int64, held: [(fingerprint: Fingerprint, labels: String)], hold: MaintenanceHold, configuration: TocsinConfiguration,
        running: Set<String>
    ) {
        self.windowID = windowID
        for (fingerprint, labelsText) in held {
            let labels = (try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:]
            if let other = hold.window(holding: labels) {
                still[fingerprint] = other
                continue
            }
            paged += 1
            for name in Route.policies(for: labels, in: configuration.routes)
            where !running.contains(name) && !started.contains(where: { $0.name == name }) {
                if let policy = configuration.policy(name) { started.append(policy) }
            }
        }
    }

    /// The timeline's record that the window closed on alerts still firing.
    func event(incidentID: Int64, now: Date) -> TimelineEvent {
        TimelineEvent(
            incidentID: incidentID, at: now, kind: .maintenanceEnded, actor: EscalationPlanner.actor, channel: "maintenance",
            note: "maintenance window #\(windowID) closed: \(paged) alert\(paged == 1 ? "" : "s") still firing, paged as new"
                + (started.isEmpty ? "" : ": " + started.map(\.name).joined(separator: ", ") + " started"))
    }

    /// An acknowledged incident whose held alerts still fire: triggered again (its chains
    /// restart), as when a new alert joins an acknowledged incident.
    func retriggered(_ incident: Incident, now: Date) -> (incident: Incident, event: TimelineEvent) {
        let by = incident.acknowledgedBy ?? "?"
        return (
            IncidentLifecycle.acknowledgementExpired(incident),
            TimelineEvent(
                incidentID: incident.id, at: now, kind: .retriggered, actor: EscalationPlanner.actor, channel: "maintenance",
                note: "back to triggered: alerts held by maintenance window #\(windowID) still fire after \(by)'s acknowledgement")
        )
    }

    /// Who started the policies, on the escalations.
    var startedBy: String { "maintenance window #\(windowID) closed" }
}
