/// Whether an alert is currently firing or has resolved, as Alertmanager reports it.
public enum AlertStatus: String, Codable, Sendable, CaseIterable {
    case firing
    case resolved
}
