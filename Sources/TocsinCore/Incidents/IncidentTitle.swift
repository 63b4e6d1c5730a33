/// Derives an incident's title from the batch that opened it.
public enum IncidentTitle {
    /// `commonAnnotations.summary` when present; otherwise the alert name followed by the other
    /// group labels, e.g. `InstanceDown (cluster=eu1)`.
    public static func make(for batch: AlertBatch) -> String {
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
