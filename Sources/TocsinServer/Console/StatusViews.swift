import Foundation
import TocsinCore
import TocsinDelivery
import TocsinStore

/// One notification as the console lists it (an incident's, or the deliveries page's).
struct NotificationRowView: Sendable {
    let id: Int64
    let incident: Int64
    let event: String
    let target: String
    let state: String
    let medium: String
    /// A webhook's URL reduced to its scheme, host and port (its path is often a credential).
    let address: String
    let attempts: Int
    let attemptsPlural: String
    /// When it was sent, or last changed.
    let at: ConsoleTime
    /// When it is (or was) due.
    let due: ConsoleTime
    let lastError: String?

    init(_ entry: OutboxEntry) {
        id = entry.id ?? 0
        incident = entry.incidentID
        event = entry.event.rawValue.replacingOccurrences(of: "_", with: " ")
        target = entry.target
        state = entry.state.rawValue
        medium = entry.medium.rawValue
        address = entry.medium == .webhook ? TransferError.redacted(entry.address) : entry.address
        attempts = entry.attempts
        attemptsPlural = ConsoleText.plural(entry.attempts)
        at = ConsoleTime(entry.sentAt ?? entry.updatedAt)
        due = ConsoleTime(entry.dueAt)
        lastError = entry.lastError
    }
}

/// The deliveries page (`/ui/deliveries`): dead and retrying notifications.
struct DeliveryListView: Sendable {
    let layout: ConsoleLayout
    let deliveries: [NotificationRowView]
    /// Set when there are more than the page shows.
    let more: Bool

    /// The most the page lists (the page stays small on a phone); `tocsin deliveries` lists all.
    static let limit = 50

    init(_ entries: [OutboxEntry], layout: ConsoleLayout) {
        self.layout = layout
        more = entries.count > Self.limit
        deliveries = entries.prefix(Self.limit).map(NotificationRowView.init)
    }
}

/// The heartbeats page (`/ui/heartbeats`), read only.
struct HeartbeatListView: Sendable {
    struct Row: Sendable {
        let name: String
        let state: String
        let stateClass: String
        let interval: String
        let grace: String
        let lastBeatAt: String?
        let lastBeatText: String?
    }

    let layout: ConsoleLayout
    let heartbeats: [Row]

    init(_ configured: [Heartbeat], statuses: [String: HeartbeatStatus], layout: ConsoleLayout) {
        self.layout = layout
        heartbeats = configured.map { heartbeat in
            let status = statuses[heartbeat.name]
            let last = status?.lastBeatAt.map(ConsoleTime.init)
            let state = status?.state.rawValue ?? "waiting"
            return Row(
                name: heartbeat.name, state: state,
                stateClass: state == "missed" ? "critical" : (state == "healthy" ? "resolved" : "other"),
                interval: PolicyDuration.format(heartbeat.interval), grace: PolicyDuration.format(heartbeat.grace),
                lastBeatAt: last?.iso, lastBeatText: last?.text)
        }
    }
}

/// The maintenance page (`/ui/maintenance`): windows open now or ahead, read only.
struct MaintenanceListView: Sendable {
    struct Row: Sendable {
        let id: Int64
        let matchers: String
        let status: String
        let start: ConsoleTime
        let end: ConsoleTime
        let createdBy: String
        let note: String?
    }

    let layout: ConsoleLayout
    let windows: [Row]

    init(_ summaries: [MaintenanceSummary], layout: ConsoleLayout, now: Date) {
        self.layout = layout
        windows = summaries.map { summary in
            let window = summary.window
            let status = window.startsAt > now
                ? "starts in \(ReadableTime.span(window.startsAt.timeIntervalSince(now)))"
                : "open, \(summary.heldAlerts) alert\(ConsoleText.plural(summary.heldAlerts)) held"
            return Row(
                id: window.id ?? 0, matchers: window.matcherDescription, status: status, start: ConsoleTime(window.startsAt),
                end: ConsoleTime(window.closesAt), createdBy: window.createdBy, note: window.note)
        }
    }
}
