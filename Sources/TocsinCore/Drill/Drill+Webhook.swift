import Foundation

extension Drill {
    /// The receiver name drill payloads carry.
    public static let receiver = "tocsin-drill"

    /// The Alertmanager webhook (version 4) that fires or clears the drill's alerts at `now`,
    /// `elapsed` seconds after the drill started (only alerts that have started by then are in the
    /// group), exactly as Alertmanager would send it. In a live run `runID` labels every alert
    /// `tocsin_drill=<runID>`, which marks the incident as a drill on the server.
    public func webhook(
        status: AlertStatus, at now: Date, elapsed: TimeInterval = .infinity, runID: String? = nil
    ) -> AlertmanagerWebhook {
        let marked = alerts.filter { $0.at <= elapsed }.map { alert in
            var labels = alert.labels
            if let runID { labels[DrillRun.label] = runID }
            return (labels: labels, annotations: alert.annotations)
        }
        var groupLabels = ["alertname": alerts.first?.labels["alertname"] ?? name]
        if let runID { groupLabels[DrillRun.label] = runID }
        let common = AlertBatch.commonLabels(of: marked.map(\.labels))
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
    /// Every policy that escalated the drill's incidents, with the alert that started it.
    public var policies: [DrillPolicyStart]

    public init(
        drill: Drill, mode: String, runID: String? = nil, deliveries: [DrillDelivery], policies: [DrillPolicyStart] = []
    ) {
        self.drill = drill.name
        self.mode = mode
        self.runID = runID
        self.results = drill.expectations.map { $0.evaluate(deliveries) }
        self.passed = results.allSatisfy(\.met)
        self.deliveries = deliveries
        self.policies = policies
    }

    enum CodingKeys: String, CodingKey {
        case drill, mode, passed, results, deliveries, policies
        case runID = "run_id"
    }
}

/// A policy that started escalating one of a drill's incidents: when, and because of which alert.
public struct DrillPolicyStart: Sendable, Codable, Equatable {
    public var incidentID: Int64
    public var policy: String
    /// Seconds after the drill started.
    public var offset: TimeInterval
    /// The alert whose labels routed to the policy (`DiskFull on db1:9100`).
    public var startedBy: String?

    public init(incidentID: Int64, policy: String, offset: TimeInterval, startedBy: String?) {
        self.incidentID = incidentID
        self.policy = policy
        self.offset = offset
        self.startedBy = startedBy
    }

    enum CodingKeys: String, CodingKey {
        case policy, offset
        case incidentID = "incident_id"
        case startedBy = "started_by"
    }

    /// `critical-immediate started at +0s on incident #1, by DiskFull on db1:9100`.
    public var text: String {
        "\(policy) started at +\(PolicyDuration.format(offset)) on incident #\(incidentID)"
            + (startedBy.map { ", by \($0)" } ?? "")
    }
}
