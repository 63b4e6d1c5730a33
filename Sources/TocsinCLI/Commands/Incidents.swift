import ArgumentParser
import Foundation
import TocsinCore
import TocsinAPI
import TocsinClient

/// `tocsin incidents`: the list an on-call engineer looks at first.
struct Incidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List incidents, newest first.",
        discussion: "Columns: id, state, severity, age, firing/total alerts, title (drill incidents start with [drill RUN-ID]; [in maintenance] marks alerts held by a maintenance window)."
    )

    @Option(help: "Which incidents: triggered, acknowledged, resolved, open (triggered or acknowledged), all.")
    var state: IncidentFilter = .open

    @Option(help: "Show at most this many incidents.")
    var limit = 50

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard (1...IncidentListResource.maxPageSize).contains(limit) else {
            throw ValidationError("--limit must be between 1 and \(IncidentListResource.maxPageSize)")
        }
    }

    func run() async throws {
        let api = try client.client()
        let page = try await api.get("/api/v1/incidents?state=\(state.rawValue)&limit=\(limit)", as: IncidentListResource.self)
        if client.json {
            try Formatting.printJSON(page)
            return
        }
        guard !page.incidents.isEmpty else {
            print("No \(state == .all ? "" : "\(state.rawValue) ")incidents.")
            return
        }
        var table = TextTable(header: ["ID", "STATE", "SEVERITY", "AGE", "ALERTS", "TITLE"])
        let now = Date()
        for incident in page.incidents {
            var alerts = "\(incident.firingCount)/\(incident.alertCount)"
            if incident.truncatedAlerts > 0 { alerts += "+\(incident.truncatedAlerts)" }
            table.rows.append([
                "#\(incident.id)", incident.state.rawValue, incident.severity,
                Formatting.age(of: incident.createdAt, now: now), alerts,
                (incident.drillRun.map { "[drill \($0)] \(incident.title)" } ?? incident.title)
                    + (incident.inMaintenance == true ? " [in maintenance]" : ""),
            ])
        }
        print(table.render())
        if page.nextBefore != nil {
            print("(more: raise --limit to see older incidents)")
        }
    }
}

extension IncidentFilter: ExpressibleByArgument {}
