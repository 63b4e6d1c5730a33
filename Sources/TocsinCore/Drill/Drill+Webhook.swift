import Foundation

extension Drill {
    /// The receiver name drill payloads carry.
    public static let receiver = "tocsin-drill"

    /// The Alertmanager webhook (version 4) that fires or clears the drill's alerts at `now`,
    /// exactly as Alertmanager would send it. In a live run `runID` labels every alert
    /// `tocsin_drill=<runID>`, which marks the incident as a drill on the server.
    public func webhook(status: AlertStatus, at now: Date, runID: String? = nil) -> AlertmanagerWebhook {
        let marked = alerts.map { alert in
            var labels = alert.labels
            if let runID { labels[DrillRun.label] = runID }
            return (labels: labels, annotations: alert.annotations)
        }
        var groupLabels = ["alertname": alerts.first?.labels["alertname"] ?? name]
        if let runID { groupLabels[DrillRun.label] = runID }
        let common = marked.dropFirst().reduce(marked.first?.labels ?? [:]) { shared, alert in
            shared.filter { alert.labels[$0.key] == $0.value }
        }
        let time = RFC3339.format(now)
        var webhook = AlertmanagerWebhook()
        webhook.version = AlertmanagerWebhook.supportedVersion
        webhook.groupKey = "{}/{tocsin_drill=\"\(runID ?? "virtual")\"}:{alertname=\"\(groupLabels["alertname"] ?? name)\"}"
        webhook.truncatedAlerts = 0
        webhook.status = status.rawValue
        webhook.receiver = Self.receiver
        webhook.groupLabels = groupLabels
        webhook.commonLabels = common
        webhook.commonAnnotations = marked.count == 1 ? marked[0].annotations : [:]
        webhook.externalURL = ""
        webhook.alerts = marked.map { alert in
            var wire = AlertmanagerWebhook.WireAlert()
            wire.status = status.rawValue
            wire.labels = alert.labels
            wire.annotations = alert.annotations
            wire.startsAt = time
            wire.endsAt = status == .resolved ? time : "0001-01-01T00:00:00Z"
            wire.generatorURL = ""
            return wire
        }
        return webhook
    }
}

/// What a drill run found: one result per expectation, and every delivery observed.
public struct DrillReport: Sendable, Codable {
    public var drill: String
    /// `virtual` or `live`.
    public var mode: String
    /// The live run's id (the `tocsin_drill` label), nil on a virtual clock.
    public var runID: String?
    public var passed: Bool
    public var results: [DrillExpectation.Result]
    public var deliveries: [DrillDelivery]

    public init(drill: Drill, mode: String, runID: String? = nil, deliveries: [DrillDelivery]) {
        self.drill = drill.name
        self.mode = mode
        self.runID = runID
        self.results = drill.expectations.map { $0.evaluate(deliveries) }
        self.passed = results.allSatisfy(\.met)
        self.deliveries = deliveries
    }

    enum CodingKeys: String, CodingKey {
        case drill, mode, passed, results, deliveries
        case runID = "run_id"
    }
}
