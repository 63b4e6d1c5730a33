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

    /// The labels every one of `labelSets` has with the same value, as Alertmanager computes a
    /// group's `commonLabels` (empty for no label sets).
    public static func commonLabels(of labelSets: [[String: String]]) -> [String: String] {
        guard let first = labelSets.first else { return [:] }
        return labelSets.dropFirst().reduce(first) { shared, labels in shared.filter { labels[$0.key] == $0.value } }
    }

    /// Whether any alert of the batch is firing.
    public var hasFiringAlerts: Bool { alerts.contains { $0.status == .firing } }
}
