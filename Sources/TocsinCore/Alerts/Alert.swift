import Foundation

/// One alert as received from a source, validated and normalised.
///
/// `endsAt` is `nil` while an alert fires (Alertmanager sends Go's zero time for "unset").
public struct Alert: Sendable, Equatable {
    public var fingerprint: Fingerprint
    public var status: AlertStatus
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    public var endsAt: Date?
    public var generatorURL: String

    public init(
        fingerprint: Fingerprint? = nil,
        status: AlertStatus,
        labels: [String: String],
        annotations: [String: String] = [:],
        startsAt: Date,
        endsAt: Date? = nil,
        generatorURL: String = ""
    ) {
        self.fingerprint = fingerprint ?? Fingerprint(labels: labels)
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    /// The `alertname` label, or an empty string when the alert has none.
    public var name: String { labels["alertname"] ?? "" }

    /// `DiskFull on db1:9100`: the alert's name and where it fires (its `instance`, else its `job`,
    /// else its fingerprint), as timelines name it.
    public var shortDescription: String {
        let target = labels["instance"] ?? labels["job"] ?? fingerprint.description
        return name.isEmpty ? target : "\(name) on \(target)"
    }

    /// The `severity` label, if any.
    public var severity: Severity? { labels["severity"].map(Severity.init(label:)) }
}
