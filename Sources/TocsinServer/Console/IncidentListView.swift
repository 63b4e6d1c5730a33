import Foundation
import TocsinCore
import TocsinStore

/// The incident list page (`/ui/incidents?state=…`): newest first, a page at a time.
struct IncidentListView: Sendable {
    /// One state filter among the links above the list.
    struct Filter: Sendable {
        let name: String
        let label: String
        let current: Bool
    }

    /// One incident of the list.
    struct Row: Sendable {
        let id: Int64
        let title: String
        let severity: String
        let severityClass: String
        let state: String
        let openedAt: String
        let openedText: String
        let age: String
        let firing: Int
        let alerts: Int
        let alertsPlural: String
        let acknowledgedBy: String?
        let resolvedBy: String?
        let inMaintenance: Bool
        let drill: Bool

        init(_ incident: Incident, inMaintenance: Bool, now: Date) {
            id = incident.id ?? 0
            title = incident.title
            severity = incident.severity
            severityClass = ConsoleText.severityClass(incident.severity)
            state = incident.state.rawValue
            let opened = ConsoleTime(incident.createdAt)
            openedAt = opened.iso
            openedText = opened.text
            age = ReadableTime.span(now.timeIntervalSince(incident.createdAt))
            firing = incident.firingCount
            alerts = incident.alertCount
            alertsPlural = incident.alertCount == 1 ? "" : "s"
            acknowledgedBy = incident.state == .acknowledged ? incident.acknowledgedBy : nil
            resolvedBy = incident.state == .resolved ? incident.resolvedBy : nil
            self.inMaintenance = inMaintenance
            drill = incident.drillRun != nil
        }
    }

    let layout: ConsoleLayout
    let filters: [Filter]
    let filterLabel: String
    let incidents: [Row]
    /// The link to the next, older page, when there is one.
    let older: String?

    static let filterLabels: [(IncidentFilter, String)] = [
        (.open, "open"), (.triggered, "triggered"), (.acknowledged, "acknowledged"), (.resolved, "resolved"), (.all, "all"),
    ]

    init(page: IncidentPage, filter: IncidentFilter, layout: ConsoleLayout, now: Date) {
        self.layout = layout
        filters = Self.filterLabels.map { Filter(name: $0.0.rawValue, label: $0.1, current: $0.0 == filter) }
        filterLabel = filter == .all ? "" : filter.rawValue
        incidents = page.incidents.map { Row($0, inMaintenance: page.inMaintenance.contains($0.id ?? 0), now: now) }
        older = page.nextBefore.map { "/ui/incidents?state=\(filter.rawValue)&before=\($0)" }
    }
}

/// Small wordings the console's views share.
enum ConsoleText {
    /// The style class of a severity: one of a fixed few, whatever a sender put in the label.
    static func severityClass(_ severity: String) -> String {
        switch Severity(label: severity).rank {
        case 4...: "critical"
        case 3: "warning"
        default: "other"
        }
    }

    /// Only http(s) links are shown, and only those with nothing that could leave an attribute (the
    /// same rule as the pages'): a `javascript:` URL in an annotation is hostile input.
    static func safeLink(_ url: String) -> String? {
        AlertListing.isWebURL(url) ? url : nil
    }

    static func plural(_ count: Int) -> String { count == 1 ? "" : "s" }
}
