/// Derives an incident's title from the batch that opened it.
public enum IncidentTitle {
    /// Titles (and so email subjects and chat lines) are cut to this many characters.
    public static let maxCharacters = 200

    /// `commonAnnotations.summary` when present; otherwise the alert name followed by the other
    /// group labels, e.g. `InstanceDown (cluster=eu1)`; at most ``maxCharacters`` characters.
    public static func make(for batch: AlertBatch) -> String {
        capped(untrimmed(for: batch))
    }

    /// `text` cut on a character boundary to at most ``maxCharacters`` characters, ending in `…`
    /// when it was cut.
    public static func capped(_ text: String) -> String {
        guard text.count > maxCharacters else { return text }
        return String(text.prefix(maxCharacters - 1)) + "…"
    }

    private static func untrimmed(for batch: AlertBatch) -> String {
        if let summary = batch.commonAnnotations["summary"], !summary.isEmpty {
            return summary
        }
        let name = batch.groupLabels["alertname"] ?? batch.commonLabels["alertname"] ?? batch.alerts.first?.name ?? ""
        let others = batch.groupLabels.keys.sorted().filter { $0 != "alertname" }.map {
            "\($0)=\(batch.groupLabels[$0] ?? "")"
        }
        switch (name.isEmpty, others.isEmpty) {
        case (false, true): return name
        case (false, false): return "\(name) (\(others.joined(separator: ", ")))"
        case (true, false): return others.joined(separator: ", ")
        case (true, true): return "Alerts from \(batch.receiver)"
        }
    }
}
