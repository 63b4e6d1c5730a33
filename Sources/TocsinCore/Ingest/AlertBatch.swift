import Foundation

/// A validated delivery from one source: the alerts of one group, ready to merge into an incident.
public struct AlertBatch: Sendable, Equatable {
    /// Where the alerts came from, e.g. `alertmanager`.
    public var source: String
    /// The Alertmanager receiver name (regex-escaped by Alertmanager, kept verbatim).
    public var receiver: String
    /// The opaque group identity; with `receiver` it keys the incident.
    public var groupKey: String
    public var status: AlertStatus
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    /// Alerts Alertmanager left out because of `max_alerts`.
    public var truncatedAlerts: Int
    /// The alerts, one per fingerprint.
    public var alerts: [Alert]

    public init(
        source: String = "alertmanager",
        receiver: String,
        groupKey: String,
        status: AlertStatus,
        groupLabels: [String: String] = [:],
        commonLabels: [String: String] = [:],
        commonAnnotations: [String: String] = [:],
        externalURL: String = "",
        truncatedAlerts: Int = 0,
        alerts: [Alert]
    ) {
        self.source = source
        self.receiver = receiver
        self.groupKey = groupKey
        self.status = status
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.truncatedAlerts = truncatedAlerts
        self.alerts = alerts
    }

    /// The labels routes are matched against: the group's common labels (which include its group
    /// labels), or the first firing alert's labels when the group shares none.
    public var routingLabels: [String: String] {
        let shared = groupLabels.merging(commonLabels) { _, common in common }
        if !shared.isEmpty { return shared }
        return (alerts.first { $0.status == .firing } ?? alerts.first)?.labels ?? [:]
    }

    /// Whether any alert of the batch is firing.
    public var hasFiringAlerts: Bool { alerts.contains { $0.status == .firing } }
}
