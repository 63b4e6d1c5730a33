import Foundation

/// An event from a script or tool of one's own, posted as plain JSON to a generic integration:
///
/// ```json
/// {"key": "backup-nightly", "status": "firing", "summary": "Nightly backup failed",
///  "severity": "critical", "labels": {"team": "storage"}, "annotations": {"runbook_url": "…"},
///  "group": "backups"}
/// ```
///
/// It becomes a batch of one alert (``decode(_:receivedAt:integration:integrationLabels:)``):
/// - `key` (required, at most ``maxKeyBytes`` bytes) names the alert: its fingerprint is
///   `Fingerprint(source: "generic", key: key)`, so a later `resolved` event with the same key
///   resolves it whatever its labels, and it is the `alertname` label unless `labels` has one.
/// - `status` is `firing` (the default, so a script can just post a key) or `resolved`; the alert
///   starts when the event is received, and a resolved one also ends then.
/// - `summary` becomes the annotation `summary` (an empty one is ignored), `severity` (`critical`,
///   `error`, `warning` or `info`, any case; `error` pages as `critical`, as PagerDuty's does) the
///   label `severity`; each wins over the same name in `annotations`/`labels`.
/// - `labels` and `annotations` are objects of strings under the same rules as Alertmanager's
///   (``LabelRules``); the integration's labels win over the event's (severity included), so an
///   event cannot route itself around what its integration says.
/// - `group` (optional) is the group key: events with the same group share an incident; without
///   one, each key has its own.
///
/// Unlike Alertmanager's webhook, an unknown top-level field is rejected (naming it), and so is a
/// field given twice: scripts make typos, and a silently ignored `"sevrity"` would change who is paged.
public struct GenericEvent: Sendable, Equatable {
    /// The alert's identity within the generic source.
    public var key: String?
    /// `firing` or `resolved`; absent means `firing`.
    public var status: String?
    /// A one-line description, kept as the annotation `summary`.
    public var summary: String?
    /// `critical`, `error`, `warning` or `info`, kept as the label `severity`.
    public var severity: String?
    /// Labels of the alert, routed on like Alertmanager's.
    public var labels: [String: String]?
    /// Annotations of the alert.
    public var annotations: [String: String]?
    /// The group key; absent means the `key`.
    public var group: String?

    /// An event with the given fields; absent ones are `nil`.
    public init(
        key: String? = nil, status: String? = nil, summary: String? = nil, severity: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil, group: String? = nil
    ) {
        self.key = key
        self.status = status
        self.summary = summary
        self.severity = severity
        self.labels = labels
        self.annotations = annotations
        self.group = group
    }

    /// Recorded as the batch's `source`, and part of every generic alert's fingerprint.
    public static let source = "generic"
    /// `key` and `group` may be at most this many bytes.
    public static let maxKeyBytes = 255
    /// The values `severity` accepts (in any case; kept lower-cased).
    public static let severities = ["critical", "error", "warning", "info"]
    /// The top-level fields of an event; any other is rejected.
    public static let fields = ["key", "status", "summary", "severity", "labels", "annotations", "group"]

    /// Reads and validates a raw event body posted to the generic integration named `integration`.
    ///
    /// The batch's receiver is `integration` and its group key the event's `group`, else its
    /// `key`. `integrationLabels` (the integration's configured labels, checked when the
    /// configuration is loaded) are added to the alert's labels, and win over the event's own.
    /// Every rejection names the field: `key: is required`, `sevrity: unknown field …`,
    /// `labels.my-label: invalid label name …`.
    public static func decode(
        _ body: some Collection<UInt8>, receivedAt: Date, integration: String,
        integrationLabels: [String: String] = [:]
    ) throws(IngestValidationError) -> AlertBatch {
        let event = try JSONBody.withContiguousBody(body) { (bytes) throws(IngestValidationError) -> GenericEvent in
            try Self.read(bytes)
        }
        return try event.validated(receivedAt: receivedAt, integration: integration, integrationLabels: integrationLabels)
    }

    /// Checks every field and returns the batch of one alert (see
    /// ``decode(_:receivedAt:integration:integrationLabels:)``).
    public func validated(
        receivedAt: Date, integration: String, integrationLabels: [String: String] = [:]
    ) throws(IngestValidationError) -> AlertBatch {
        let key = try AlertmanagerWebhook.require(self.key, "key")
        try Self.checkKey(key, field: "key")
        var groupKey = key
        if let group {
            groupKey = try AlertmanagerWebhook.require(group, "group")
            try Self.checkKey(groupKey, field: "group")
        }
        var status = AlertStatus.firing
        if let text = self.status {
            status = try AlertmanagerWebhook.status(text, field: "status")
        }

        let ownLabels = labels ?? [:]
        try AlertmanagerWebhook.WireAlert.checkLabels(ownLabels, field: "labels", allowEmpty: true)
        // The operator's labels (the integration's) win over the event's, severity included: a
        // script cannot route itself around what the integration says.
        var alertLabels = ownLabels
        if let severity {
            alertLabels["severity"] = try Self.checkSeverity(severity)
        }
        alertLabels.merge(integrationLabels) { _, integration in integration }
        if alertLabels["alertname"] == nil {
            alertLabels["alertname"] = key
        }
        guard alertLabels.count <= LabelRules.maxLabelsPerAlert else {
            throw IngestValidationError(
                field: "labels",
                problem: "has \(alertLabels.count) labels with the integration's; at most \(LabelRules.maxLabelsPerAlert)")
        }

        var alertAnnotations = annotations ?? [:]
        if let summary, !summary.isEmpty {
            guard summary.utf8.count <= LabelRules.maxAnnotationValueBytes else {
                throw IngestValidationError(
                    field: "summary", problem: "is longer than \(LabelRules.maxAnnotationValueBytes) bytes")
            }
            guard !UTF8Bytes.containsNUL(summary) else {
                throw IngestValidationError(field: "summary", problem: "contains a NUL byte")
            }
            alertAnnotations["summary"] = summary
        }
        try AlertmanagerWebhook.WireAlert.checkAnnotations(alertAnnotations, field: "annotations")

        let alert = Alert(
            fingerprint: Fingerprint(source: Self.source, key: key),
            status: status,
            labels: alertLabels,
            annotations: alertAnnotations,
            startsAt: receivedAt,
            endsAt: status == .resolved ? receivedAt : nil
        )
        return AlertBatch(
            source: Self.source,
            receiver: integration,
            groupKey: groupKey,
            status: status,
            commonLabels: alertLabels,
            commonAnnotations: alertAnnotations,
            alerts: [alert]
        )
    }

    // MARK: - Reading

    /// Reads an event body in one pass with the webhook reader: `null` reads as absent, a value
    /// of the wrong kind is named by its path (`labels.team: expected a string`).
    static func read(_ body: UnsafeBufferPointer<UInt8>) throws(IngestValidationError) -> GenericEvent {
        var event = GenericEvent()
        var seen: Set<String> = []
        try JSONBody.readObject(body) { key, reader in
            guard Self.fields.contains(key) else {
                throw IngestValidationError(
                    field: key, problem: "unknown field \"\(key)\"; expected one of \(Self.fields.joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else {
                throw IngestValidationError(field: key, problem: "is given more than once")
            }
            switch key {
            case "key": event.key = try AlertmanagerWebhook.string(key, &reader)
            case "status": event.status = try AlertmanagerWebhook.string(key, &reader)
            case "summary": event.summary = try AlertmanagerWebhook.string(key, &reader)
            case "severity": event.severity = try AlertmanagerWebhook.string(key, &reader)
            case "labels":
                event.labels = try AlertmanagerWebhook.stringMap(key, &reader, maxEntries: LabelRules.maxLabelsPerAlert)
            case "annotations": event.annotations = try AlertmanagerWebhook.stringMap(key, &reader)
            case "group": event.group = try AlertmanagerWebhook.string(key, &reader)
            default: try reader.skipValue()
            }
        }
        return event
    }

    // MARK: - Checks

    /// A key or group: at most ``maxKeyBytes`` bytes, no NUL (it becomes a label value).
    private static func checkKey(_ value: String, field: String) throws(IngestValidationError) {
        guard value.utf8.count <= maxKeyBytes else {
            throw IngestValidationError(field: field, problem: "is longer than \(maxKeyBytes) bytes")
        }
        guard !UTF8Bytes.containsNUL(value) else {
            throw IngestValidationError(field: field, problem: "contains a NUL byte")
        }
    }

    /// The severity, lower-cased, when it is one of ``severities``.
    private static func checkSeverity(_ value: String) throws(IngestValidationError) -> String {
        let lowered = value.lowercased()
        guard severities.contains(lowered) else {
            throw IngestValidationError(
                field: "severity",
                problem: "must be one of \(severities.joined(separator: ", ")), got \"\(value.prefix(64))\"")
        }
        // Routes page on critical; PagerDuty's error is high urgency too.
        return lowered == "error" ? "critical" : lowered
    }
}
