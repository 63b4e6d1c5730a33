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
        /// Annotations made from a dialect's extra fields (Grafana's `dashboardURL`, `values`, …);
        /// never read from Alertmanager's own body, and not part of its wire format.
        var extraAnnotations: [String: String] = [:]

        enum CodingKeys: String, CodingKey {
            case status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint
        }
    }
}

extension AlertmanagerWebhook {
    /// Which flavour of the Alertmanager-shaped webhook a body is: the versions it may carry, the
    /// source its batch is recorded as, and the extra per-alert fields it adds, kept as annotations.
    ///
    /// ``alertmanager`` is Alertmanager's own body; Grafana's contact point sends the same shape
    /// with version "1" and links and query values on every alert (``GrafanaWebhook``). Reading and
    /// validation are the same code for both: a dialect only widens what is read.
    struct Dialect: Sendable {
        /// Recorded as the batch's `source`.
        let source: String
        /// The `version` values accepted.
        let versions: [String]
        /// Per-alert string fields kept, when not empty, as annotations of the same name.
        let linkKeys: [String]
        /// Per-alert objects of numbers kept as an annotation of the same name, e.g. `B=44.2, C=1`.
        let numberMapKeys: [String]
        /// Every per-alert key read: Alertmanager's, then the extra ones. Others are passed over.
        let alertKeys: [String]

        /// The keys of an alert in Alertmanager's own body.
        static let standardAlertKeys: [String] = [
            "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
        ]

        init(source: String, versions: [String], linkKeys: [String] = [], numberMapKeys: [String] = []) {
            self.source = source
            self.versions = versions
            self.linkKeys = linkKeys
            self.numberMapKeys = numberMapKeys
            self.alertKeys = Self.standardAlertKeys + linkKeys + numberMapKeys
        }

        /// Alertmanager's webhook, version 4.
        static let alertmanager = Dialect(source: "alertmanager", versions: [AlertmanagerWebhook.supportedVersion])
    }
}
