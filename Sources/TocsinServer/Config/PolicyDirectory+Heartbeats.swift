import Foundation
import TocsinCore
import Yams

extension PolicyDirectory.Reader {
    /// Reads one heartbeat:
    ///
    /// ```yaml
    /// heartbeats:
    ///   - name: prometheus-eu1
    ///     interval: 1m                 # a beat is expected at least this often
    ///     grace: 2m                    # then this long before it counts as missed
    ///     labels: {severity: critical, team: sre}   # routed like an alert's labels
    ///     summary: "Prometheus eu1 stopped sending its Watchdog"
    /// ```
    mutating func heartbeat(_ node: Node) -> Heartbeat? {
        guard let fields = mapping(node, "a heartbeat"), let name = requiredString(fields, "name", node) else { return nil }
        unknownKeys(fields, allowed: ["name", "interval", "grace", "labels", "summary"], in: "heartbeat \"\(name)\"")
        guard let intervalNode = fields["interval"] else {
            report("heartbeat \"\(name)\" needs \"interval\" (how often a beat is expected, such as 1m)", node)
            return nil
        }
        guard let interval = duration(intervalNode, "interval") else { return nil }
        let grace = fields["grace"].flatMap { duration($0, "grace") } ?? 0
        var labels: [String: String] = [:]
        if let labelsNode = fields["labels"], let entries = mapping(labelsNode, "labels (a mapping of label names to values)") {
            for (label, value) in entries {
                if let value = string(value, label) { labels[label] = value }
            }
        }
        return Heartbeat(
            name: name, interval: interval, grace: grace, labels: labels, summary: string(fields["summary"], "summary"),
            location: location(node))
    }
}
