/// How a page names each alert of its incident: the alert's summary (or name) and the labels that
/// set it apart from the others, so two alerts with one summary read as two alerts:
/// `[firing] Nodes down in eu2 (instance=db1:9100)`.
public enum AlertListing {
    /// The most labels a page shows for one alert.
    public static let labelLimit = 4

    /// One line per alert, at most `limit` of them, then `… and N more`.
    public static func lines(_ alerts: [IncidentAlert], limit: Int = 20) -> [String] {
        let distinguishing = distinguishingLabels(alerts.map(\.labels))
        var lines = alerts.prefix(limit).map { alert -> String in
            let own = distinguishing.compactMap { key in alert.labels[key].map { "\(key)=\($0)" } }
            return "[\(alert.status.rawValue)] \(name(of: alert))" + (own.isEmpty ? "" : " (\(own.joined(separator: ", ")))")
        }
        if alerts.count > limit {
            lines.append("… and \(alerts.count - limit) more")
        }
        return lines
    }

    /// How a page names an alert: its `summary` annotation, else its `alertname`, else its fingerprint.
    public static func name(of alert: IncidentAlert) -> String {
        alert.annotations["summary"] ?? alert.labels["alertname"] ?? alert.fingerprint.description
    }

    /// The label names whose values are not the same on every alert, sorted, at most four (the
    /// rest would not fit a line). Empty for a single alert.
    public static func distinguishingLabels(_ labelSets: [[String: String]]) -> [String] {
        guard let first = labelSets.first, labelSets.count > 1 else { return [] }
        let names = Set(labelSets.flatMap(\.keys))
        let differing = names.filter { name in labelSets.contains { $0[name] != first[name] } }
        return Array(differing.sorted().prefix(labelLimit))
    }

    /// The label names a page shows for each alert of `labelSets`: those that tell the alerts apart
    /// (``distinguishingLabels(_:)``); for a single alert, which has nothing to be told apart from,
    /// its own labels but `alertname` and `severity` (the page names those already), sorted, at
    /// most four.
    public static func shownLabels(_ labelSets: [[String: String]]) -> [String] {
        guard labelSets.count == 1, let only = labelSets.first else { return distinguishingLabels(labelSets) }
        return Array(only.keys.filter { $0 != "alertname" && $0 != "severity" }.sorted().prefix(labelLimit))
    }

    /// The links a source gave its alerts that a page shows beside its own: Grafana's
    /// `dashboardURL` as "Dashboard" and `panelURL` as "Panel", the first of each among
    /// `annotations` (one set per alert, firing ones first). Only http(s) URLs are shown.
    public static func sourceLinks(_ annotations: [[String: String]]) -> [(label: String, url: String)] {
        var links: [(label: String, url: String)] = []
        for (key, label) in [("dashboardURL", "Dashboard"), ("panelURL", "Panel")] {
            if let url = annotations.lazy.compactMap({ $0[key] }).first(where: { isWebURL($0) }) {
                links.append((label, url))
            }
        }
        return links
    }

    /// Whether `text` is an http(s) URL a page may link to: `http://` or `https://` and something
    /// after it, with no whitespace, control characters, double quotes, backslashes, backticks or angle
    /// brackets (which no valid URL holds, and which could end the attribute or link it is written in).
    public static func isWebURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }), text.count > scheme.count else {
            return false
        }
        return !text.unicodeScalars.contains { scalar in
            scalar.value <= 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                || scalar.properties.isWhitespace || "\"<>\\`".unicodeScalars.contains(scalar)
        }
    }
}
