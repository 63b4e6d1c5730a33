/// How a page names each alert of its incident: the alert's summary (or name) and the labels that
/// set it apart from the others, so two alerts with one summary read as two alerts:
/// `[firing] Nodes down in eu2 (instance=db1:9100)`.
public enum AlertListing {
    /// One line per alert, at most `limit` of them, then `… and N more`.
    public static func lines(_ alerts: [IncidentAlert], limit: Int = 20) -> [String] {
        let distinguishing = distinguishingLabels(alerts.map(\.labels))
        var lines = alerts.prefix(limit).map { alert -> String in
            let name = alert.annotations["summary"] ?? alert.labels["alertname"] ?? alert.fingerprint.description
            let own = distinguishing.compactMap { key in alert.labels[key].map { "\(key)=\($0)" } }
            return "[\(alert.status.rawValue)] \(name)" + (own.isEmpty ? "" : " (\(own.joined(separator: ", ")))")
        }
        if alerts.count > limit {
            lines.append("… and \(alerts.count - limit) more")
        }
        return lines
    }

    /// The label names whose values are not the same on every alert, sorted, at most four (the
    /// rest would not fit a line). Empty for a single alert.
    static func distinguishingLabels(_ labelSets: [[String: String]]) -> [String] {
        guard let first = labelSets.first, labelSets.count > 1 else { return [] }
        let names = Set(labelSets.flatMap(\.keys))
        let differing = names.filter { name in labelSets.contains { $0[name] != first[name] } }
        return Array(differing.sorted().prefix(4))
    }

    /// The links a source gave its alerts that a page shows beside its own: Grafana's
    /// `dashboardURL` as "Dashboard" and `panelURL` as "Panel", the first of each among
    /// `annotations` (one set per alert, firing ones first). Only http(s) URLs are shown.
    public static func sourceLinks(_ annotations: [[String: String]]) -> [(label: String, url: String)] {
        var links: [(label: String, url: String)] = []
        for (key, label) in [("dashboardURL", "Dashboard"), ("panelURL", "Panel")] {
            let url = annotations.lazy.compactMap { $0[key] }.first { url in
                let lowered = url.lowercased()
                return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
            }
            if let url { links.append((label, url)) }
        }
        return links
    }
}
