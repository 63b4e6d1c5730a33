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
        let alert = Alert(
            fingerprint: Fingerprint(source: Self.source, key: name), status: .firing, labels: alertLabels,
            annotations: ["summary": summary ?? "Heartbeat \(name) stopped beating", "description": description],
            startsAt: deadline)
        return Self.batch(of: name, alert)
    }

    /// The batch that resolves the incident of the heartbeat named `name` at `now` (a beat came,
    /// or the heartbeat is no longer configured), keeping what its alert said: `stored`, the alert
    /// as the incident holds it.
    public static func recovery(of name: String, at now: Date, stored: IncidentAlert?) -> AlertBatch {
        let labels = stored?.labels ?? ["alertname": alertName, "heartbeat": name]
        let annotations = stored?.annotations ?? [:]
        let alert = Alert(
            fingerprint: Fingerprint(source: source, key: name), status: .resolved, labels: labels, annotations: annotations,
            startsAt: min(stored?.startsAt ?? now, now), endsAt: now)
        return batch(of: name, alert)
    }

    /// The group key of the incident of the heartbeat named `name`.
    public static func groupKey(of name: String) -> String { "heartbeat/\(name)" }

    private static func batch(of name: String, _ alert: Alert) -> AlertBatch {
        AlertBatch(
            source: source, receiver: source, groupKey: groupKey(of: name), status: alert.status, groupLabels: ["heartbeat": name],
            commonLabels: alert.labels, commonAnnotations: alert.annotations, alerts: [alert])
    }
}

extension Heartbeat {
    /// Whether a beat's body is an Alertmanager notification that its alert resolved (`"status":
    /// "resolved"` at the top level): when Prometheus stops, Alertmanager sends the Watchdog one
    /// last time as resolved, which is no sign of life. Any other body, JSON or not, is a beat.
    public static func isResolvedNotice(_ body: some Collection<UInt8>) -> Bool {
        var resolved = false
        do {
            try JSONBody.withContiguousBody(body) { (bytes) throws(IngestValidationError) in
                try JSONBody.readObject(bytes) { key, reader in
                    if key == "status", let status = try? reader.readString() {
                        resolved = status == "resolved"
                    } else {
                        try reader.skipValue()  // any other member, or a status that is not a string
                    }
                }
            }
        } catch {
            return false
        }
        return resolved
    }
}
