import Foundation
import TocsinCore

/// Alertmanager 0.25 payloads captured on loopback (see Tests/Fixtures/alertmanager/README.md).
public enum Fixtures {
    /// The repository's root directory.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder of captured Alertmanager payloads.
    public static let alertmanagerDirectory = repositoryRoot.appendingPathComponent("Tests/Fixtures/alertmanager")

    /// The numbered webhook captures, in the order they were captured.
    public static let webhookNames: [String] = [
        "webhook-01-firing-critical-single",
        "webhook-02-firing-critical-continue-fanout-pager-audit",
        "webhook-03-firing-warning-single",
        "webhook-04-firing-grouped-2-alerts",
        "webhook-05-firing-group-grew-to-3-alerts",
        "webhook-06-firing-group-partially-resolved",
        "webhook-07-resolved-group-all-resolved",
        "webhook-08-resolved-critical-single",
        "webhook-09-repeat-after-repeat_interval",
        "webhook-10-firing-truncated-max_alerts-2",
        "webhook-11-firing-group_by-all-labels",
        "webhook-12-firing-inhibition-source-only",
        "webhook-13-firing-posted-without-endsAt",
        "webhook-14-resolved-by-resolve_timeout",
        "webhook-15-resolved-warning-single",
    ]

    /// The bytes of a fixture file (name without `.json`).
    public static func data(_ name: String) throws -> Data {
        try Data(contentsOf: alertmanagerDirectory.appendingPathComponent(name + ".json"))
    }

    /// A webhook fixture, decoded and validated.
    public static func batch(_ name: String, receivedAt: Date = Date(timeIntervalSince1970: 1_795_000_000)) throws
        -> AlertBatch
    {
        try AlertmanagerWebhook.decode(Array(try data(name)), receivedAt: receivedAt)
    }

    /// Every webhook body of the captures (including the raw bytes), as JSON objects.
    public static func allWebhookObjects() throws -> [(name: String, object: [String: Any])] {
        try (webhookNames + ["webhook-01-firing-critical-single.raw-body"]).map { name in
            let object = try JSONSerialization.jsonObject(with: try data(name)) as? [String: Any] ?? [:]
            return (name, object)
        }
    }

    /// An Alertmanager webhook body (version 4) of one firing alert with `labels` and
    /// `annotations`, grouped by its `alertname`, as Alertmanager sends it.
    public static func webhook(labels: [String: String], annotations: [String: String] = [:]) -> [UInt8] {
        let name = labels["alertname"] ?? "Test"
        let body: [String: Any] = [
            "version": "4", "groupKey": "{}:{alertname=\"\(name)\"}", "status": "firing", "receiver": "tocsin",
            "groupLabels": ["alertname": name], "commonLabels": labels, "commonAnnotations": annotations, "externalURL": "",
            "truncatedAlerts": 0,
            "alerts": [[
                "status": "firing", "labels": labels, "annotations": annotations, "startsAt": "2026-11-27T17:20:00Z",
                "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "",
            ]],
        ]
        return Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }
}
