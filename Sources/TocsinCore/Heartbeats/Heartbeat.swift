import Foundation

/// A dead man's switch: a sender (Alertmanager's always-firing `Watchdog`, a cron job) that must
/// beat at least every `interval`. When no beat has come for `interval + grace`, the heartbeat is
/// missed: an incident opens with the alert `HeartbeatMissed` and the configured labels, routed
/// and escalated like any alert, and the next beat resolves it.
public struct Heartbeat: Sendable, Equatable {
    /// The name in `POST /api/v1/heartbeats/{name}`: letters, digits, `.`, `_` and `-`.
    public var name: String
    /// A beat is expected at least this often.
    public var interval: TimeInterval
    /// How long past `interval` a beat may be late before the heartbeat counts as missed.
    public var grace: TimeInterval
    /// Added to the `HeartbeatMissed` alert's labels; routes match them as they match any alert's.
    public var labels: [String: String]
    /// The missed alert's `summary` annotation.
    public var summary: String?
    public var location: SourceLocation?

    /// The alert name of a missed heartbeat.
    public static let alertName = "HeartbeatMissed"
    /// The `source` and `receiver` of a missed heartbeat's incident.
    public static let source = "heartbeat"
    /// A name fits in a URL path segment as it is.
    public static let maxNameBytes = 128

    public init(
        name: String, interval: TimeInterval, grace: TimeInterval = 0, labels: [String: String] = [:], summary: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.interval = interval
        self.grace = grace
        self.labels = labels
        self.summary = summary
        self.location = location
    }

    /// How long after the last beat (or after watching began) the heartbeat counts as missed.
    public var window: TimeInterval { interval + grace }

    /// Whether `name` may name a heartbeat: 1 to 128 bytes of `[A-Za-z0-9._-]`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxNameBytes
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x2e || byte == 0x5f || byte == 0x2d
            }
    }

    /// The missed alert's labels: the configured ones, `alertname="HeartbeatMissed"` and `heartbeat=NAME`.
    public var alertLabels: [String: String] {
        var labels = labels
        labels["alertname"] = Self.alertName
        labels["heartbeat"] = name
        return labels
    }

    /// The batch that opens the incident of a heartbeat missed at `deadline` (last beat at `lastBeat`).
    public func missed(at deadline: Date, lastBeat: Date?) -> AlertBatch {
        let since = lastBeat.map { "no beat since \(RFC3339.format($0))" } ?? "no beat received yet"
        let description = "\(since); a beat is expected every \(PolicyDuration.format(interval))"
            + (grace > 0 ? ", \(PolicyDuration.format(grace)) of grace" : "")
        return batch(
            status: .firing, startsAt: deadline, endsAt: nil,
            annotations: ["summary": summary ?? "Heartbeat \(name) stopped beating", "description": description])
    }

    /// The batch that resolves the incident when a beat comes at `now`.
    public func recovered(at now: Date) -> AlertBatch {
        batch(status: .resolved, startsAt: now, endsAt: now, annotations: [:])
    }

    private func batch(status: AlertStatus, startsAt: Date, endsAt: Date?, annotations: [String: String]) -> AlertBatch {
        let labels = alertLabels
        let alert = Alert(
            fingerprint: Fingerprint(source: Self.source, key: name), status: status, labels: labels,
            annotations: annotations, startsAt: startsAt, endsAt: endsAt)
        return AlertBatch(
            source: Self.source, receiver: Self.source, groupKey: "heartbeat/\(name)", status: status,
            groupLabels: ["heartbeat": name], commonLabels: labels, commonAnnotations: annotations, alerts: [alert])
    }
}
