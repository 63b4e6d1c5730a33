import ArgumentParser
import Foundation
import TocsinCore
import TocsinAPI
import TocsinClient

/// `tocsin show ID`: one incident with its alerts and timeline.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an incident: details, alerts and timeline.")

    @Argument(help: "Incident id, e.g. 42 or #42.")
    var id: IncidentID

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let detail = try await api.get("/api/v1/incidents/\(id.value)", as: IncidentDetailResource.self)
        if client.json {
            try Formatting.printJSON(detail)
            return
        }
        print(Self.render(detail, now: Date()))
    }

    static func render(_ detail: IncidentDetailResource, now: Date) -> String {
        let incident = detail.incident
        var lines = ["Incident #\(incident.id): \(incident.title)"]
        func field(_ name: String, _ value: String) {
            lines.append("  " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
        }
        field("State", incident.state.rawValue)
        field("Severity", incident.severity)
        if let run = incident.drillRun {
            field("Drill", "run \(run)")
        }
        field("Created", "\(Formatting.time(incident.createdAt)) (\(Formatting.age(of: incident.createdAt, now: now)) ago)")
        if let at = incident.acknowledgedAt {
            field("Acknowledged", "\(Formatting.time(at)) by \(incident.acknowledgedBy ?? "?")")
        }
        if let at = incident.resolvedAt {
            field("Resolved", "\(Formatting.time(at)) by \(incident.resolvedBy ?? "?")")
        }
        var alerts = "\(incident.firingCount) firing of \(incident.alertCount)"
        if incident.truncatedAlerts > 0 {
            alerts += " (+\(incident.truncatedAlerts) more not kept: left out by \(incident.source) or past --max-alerts-per-incident; see \(incident.externalURL))"
        }
        field("Alerts", alerts)
        field("Receiver", incident.receiver)
        field("Group key", incident.groupKey)
        if !incident.groupLabels.isEmpty { field("Group labels", Formatting.labels(incident.groupLabels)) }
        field("Last seen", Formatting.time(incident.lastSeenAt))
        if let windows = detail.maintenanceWindowIDs, !windows.isEmpty {
            field("Maintenance", "in maintenance: alerts held by window " + windows.map { "#\($0)" }.joined(separator: ", ") + " page nobody until it closes")
        }

        lines.append("")
        lines.append("Alerts:")
        for alert in detail.alerts {
            let summary = alert.annotations["summary"].map { "  \($0)" } ?? ""
            let held = alert.maintenanceWindowID.map { "  [in maintenance #\($0)]" } ?? ""
            lines.append("  \(alert.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(alert.fingerprint)  \(Formatting.labels(alert.labels))\(summary)\(held)")
        }
        lines.append("")
        lines.append("Escalation:")
        if detail.escalations.isEmpty {
            lines.append("  no escalation policy matched: nobody is notified")
        }
        for escalation in detail.escalations {
            lines.append("  " + describe(escalation, incident: incident, now: now))
        }
        if !detail.notifications.isEmpty {
            lines.append("")
            lines.append("Notifications:")
            var table = TextTable(header: ["ID", "STATE", "EVENT", "TO", "VIA", "ATTEMPTS", "NOTE"])
            for entry in detail.notifications {
                // A page of a step prepared ahead, or a retry, waits for its time.
                let waiting = (entry.state == .pending || entry.state == .retry) && entry.dueAt > now
                let note = [waiting ? "due \(Formatting.time(entry.dueAt))" : nil, entry.lastError].compactMap { $0 }
                table.rows.append([
                    "\(entry.id)", entry.state.rawValue, entry.event.rawValue, entry.target,
                    "\(entry.medium) \(entry.address)", "\(entry.attempts)", note.joined(separator: "; "),
                ])
            }
            lines += table.render().split(separator: "\n").map { "  " + $0 }
        }
        if !detail.attempts.isEmpty {
            lines.append("")
            lines.append("Delivery attempts:")
            for attempt in detail.attempts {
                let status = attempt.statusCode.map { "status \($0)" } ?? "no answer"
                let error = attempt.error.map { ": \($0)" } ?? ""
                lines.append("  \(Formatting.time(attempt.startedAt))  delivery \(attempt.outboxID) attempt \(attempt.attempt): \(attempt.outcome), \(status)\(error)")
            }
        }
        lines.append("")
        lines.append("Timeline:")
        for event in detail.timeline {
            let note = event.note.map { ": \($0)" } ?? ""
            lines.append("  \(Formatting.time(event.at))  \(event.kind.rawValue) by \(event.actor) via \(event.channel)\(note)")
        }
        // Each line is one line: control characters in alert text are shown, never obeyed.
        return lines.map(Formatting.terminalSafe).joined(separator: "\n")
    }
}

extension Show {
    /// `critical-immediate (started by DiskFull on db1:9100): next step 2/3 (page person:bob) at 12:05:00Z, in 3m`.
    static func describe(_ escalation: EscalationResource, incident: IncidentResource, now: Date) -> String {
        let policy = escalation.snapshot.policy
        let name = escalation.policyName + (escalation.startedBy.map { " (started by \($0))" } ?? "") + ":"
        guard let due = escalation.nextDueAt else {
            return incident.state == .resolved ? "\(name) stopped (resolved)" : "\(name) finished: every step ran"
        }
        let when = "\(Formatting.time(due)), in \(Formatting.age(of: now, now: due))"
        if incident.state == .acknowledged {
            return "\(name) paused; the acknowledgement expires at \(when) and escalation restarts"
        }
        guard let entry = EscalationSchedule(policy: policy).entry(at: escalation.position) else { return "\(name) finished" }
        let targets = entry.step.notify.map(\.key).joined(separator: ", ")
        let pass = entry.pass > 0 ? ", repeat \(entry.pass)" : ""
        return "\(name) next step \(entry.stepIndex + 1)/\(policy.steps.count)\(pass) (\(entry.step.kind.rawValue) \(targets)) at \(when)"
    }
}

/// An incident id as typed: `42` or `#42`.
struct IncidentID: ExpressibleByArgument {
    let value: Int64

    init?(argument: String) {
        let digits = argument.hasPrefix("#") ? String(argument.dropFirst()) : argument
        guard let value = Int64(digits), value > 0 else { return nil }
        self.value = value
    }
}
