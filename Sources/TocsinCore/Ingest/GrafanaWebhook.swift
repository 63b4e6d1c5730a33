import Foundation

/// Grafana-managed alerts, as Grafana's webhook contact point sends them.
///
/// The body has Alertmanager's shape (`receiver`, `status`, `groupKey`, `alerts[]`, …) with
/// `"version": "1"`, so it is read and validated by the same code as ``AlertmanagerWebhook``, with
/// the same rules, limits and error paths; the batch's `source` is `grafana` and its incident is
/// keyed by `receiver` and `groupKey` as for Alertmanager. Grafana's own `fingerprint` (16 hex
/// digits) identifies each alert.
///
/// Grafana's extra fields on each alert are kept as annotations of the same name:
/// - `dashboardURL`, `panelURL`, `silenceURL` and `imageURL`, when not empty (pages show the
///   first two as "Dashboard" and "Panel");
/// - `values`, the query values that triggered the alert, rendered sorted by ref with each number
///   as Grafana wrote it: `B=44.23943737541908, C=1` (left out when null or empty).
///
/// An annotation of the same name set on the alert rule wins over the one made from these fields.
/// `valueString` (the older text form of `values`), the top-level `orgId`, `title`, `state` and
/// `message` (deprecated by Grafana) and any other field are passed over.
public enum GrafanaWebhook {
    /// The `version` Grafana's webhook contact point sends.
    public static let supportedVersion = "1"
    /// Recorded as the batch's `source`.
    public static let source = "grafana"

    /// Reads and validates a raw Grafana webhook body, keeping at most `maxAlerts` alerts (the
    /// rest count as truncated, as for ``AlertmanagerWebhook/decode(_:receivedAt:maxAlerts:)``).
    ///
    /// Every rejection names the field and the problem, e.g. `alerts[0].values: expected an
    /// object of numbers` or `version: unsupported version "4"; Tocsin accepts "1"`.
    public static func decode(
        _ body: some Collection<UInt8>, receivedAt: Date, maxAlerts: Int = AlertmanagerWebhook.defaultMaxAlerts
    ) throws(IngestValidationError) -> AlertBatch {
        try AlertmanagerWebhook.decode(body, receivedAt: receivedAt, maxAlerts: maxAlerts, dialect: .grafana)
    }
}

extension AlertmanagerWebhook.Dialect {
    /// Grafana's webhook contact point: version "1", links and query values on every alert.
    static let grafana = AlertmanagerWebhook.Dialect(
        source: GrafanaWebhook.source,
        versions: [GrafanaWebhook.supportedVersion],
        linkKeys: ["silenceURL", "dashboardURL", "panelURL", "imageURL"],
        numberMapKeys: ["values"]
    )
}
