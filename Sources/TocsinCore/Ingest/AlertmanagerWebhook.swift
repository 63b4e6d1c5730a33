/// Alertmanager's webhook body, version 4, as it arrives on the wire.
///
/// Every field is optional here so that validation (``AlertmanagerWebhook/validated(receivedAt:)``)
/// can name exactly which one is missing; unknown fields (`notification_reason`, `routeLabels`, …)
/// are ignored.
public struct AlertmanagerWebhook: Codable, Sendable {
    public var version: String?
    public var groupKey: String?
    public var truncatedAlerts: Int?
    public var status: String?
    public var receiver: String?
    public var groupLabels: [String: String]?
    public var commonLabels: [String: String]?
    public var commonAnnotations: [String: String]?
    public var externalURL: String?
    public var alerts: [WireAlert]?
    /// Alerts the reader passed over without building them, past the most an incident keeps
    /// (they count as truncated); not part of the wire format.
    var alertsNotRead = 0

    enum CodingKeys: String, CodingKey {
        case version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL,
            alerts
    }

    /// One alert inside the webhook body.
    public struct WireAlert: Codable, Sendable {
        public var status: String?
        public var labels: [String: String]?
        public var annotations: [String: String]?
        public var startsAt: String?
        public var endsAt: String?
        public var generatorURL: String?
        public var fingerprint: String?
    }
}
