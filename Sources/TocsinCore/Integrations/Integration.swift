import Foundation

/// A sender that authenticates with a key of its own instead of the ingest token: a PagerDuty
/// Events v2 client (the key is its `routing_key`), a script posting generic events, or an SNS
/// topic delivering CloudWatch alarms. Only a hash of the key is stored.
///
/// Incidents from an integration are keyed by its ``receiver`` (`pagerduty:billing`: the source
/// and the name, so no integration can reach into the incidents of Alertmanager, Grafana,
/// heartbeats or another source) and the event's group or dedup key; its labels are added to every
/// alert it sends, and win over the event's, so routes can tell its alerts apart.
public struct Integration: Sendable, Equatable, Codable {
    /// Which payload an integration sends.
    public enum Source: String, Sendable, Codable, CaseIterable {
        case pagerduty
        case generic
        case cloudwatch
    }

    public var id: Int64?
    public var name: String
    public var source: Source
    /// Added to the labels of every alert the integration sends.
    public var labels: [String: String]
    /// CloudWatch only: what an alarm entering `INSUFFICIENT_DATA` does (nil: ignored).
    public var insufficientData: CloudWatchAlarm.InsufficientData?
    /// CloudWatch only: the one SNS topic whose messages it takes (a signature proves only that
    /// some topic sent a message). Given when the integration is added, else the first topic that
    /// sends it a correctly signed message.
    public var topicArn: String?
    public var createdAt: Date
    /// Set once the key is revoked: events presenting it are refused.
    public var revokedAt: Date?

    public init(
        id: Int64? = nil, name: String, source: Source, labels: [String: String] = [:],
        insufficientData: CloudWatchAlarm.InsufficientData? = nil, topicArn: String? = nil, createdAt: Date, revokedAt: Date? = nil
    ) {
        self.insufficientData = insufficientData
        self.topicArn = topicArn
        self.id = id
        self.name = name
        self.source = source
        self.labels = labels
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public enum CodingKeys: String, CodingKey {
        case id, name, source, labels
        case insufficientData = "insufficient_data"
        case topicArn = "topic_arn"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    /// The receiver of its incidents: `SOURCE:NAME`.
    public var receiver: String { "\(source.rawValue):\(name)" }

    /// Whether `name` may name an integration: as a heartbeat's, 1 to 128 letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool { Heartbeat.isValidName(name) }

    /// Why `labels` cannot be an integration's labels, or nil when they can.
    public static func problem(withLabels labels: [String: String]) -> String? {
        if labels.count > LabelRules.maxLabelsPerAlert / 2 {
            return "at most \(LabelRules.maxLabelsPerAlert / 2) labels"
        }
        for (name, value) in labels.sorted(by: { $0.key < $1.key }) {
            if !LabelRules.isValidName(name) { return "\"\(name)\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)" }
            if value.isEmpty { return "label \"\(name)\" has an empty value" }
            if value.utf8.count > LabelRules.maxLabelValueBytes {
                return "label \"\(name)\" is longer than \(LabelRules.maxLabelValueBytes) bytes"
            }
        }
        return nil
    }
}
