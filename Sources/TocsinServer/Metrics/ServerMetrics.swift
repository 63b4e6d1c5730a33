import Foundation
import Metrics
import Prometheus
import TocsinCore
import TocsinStore

/// The server's own measurements (through swift-metrics) and the Prometheus backend that
/// `tocsin serve` installs for them.
public enum ServerMetrics {
    /// The `# HELP` text of each metric recorded through swift-metrics.
    static let help: [String: String] = [
        "tocsin_http_requests_total": "HTTP requests answered, by route, method and status.",
        "tocsin_http_request_errors_total": "HTTP requests that ended in an error, by route, method and status.",
        "tocsin_http_request_duration_seconds": "Time to answer HTTP requests, by route, method and status.",
        "tocsin_http_active_requests": "HTTP requests being answered, by method.",
        "tocsin_alerts_received_total": "Alerts received in accepted payloads, by source and status.",
        "tocsin_ingest_rejected_total": "Ingest requests refused, by reason.",
        "tocsin_incident_transitions_total": "Incidents entering a state (opened or re-triggered, acknowledged, resolved).",
        "tocsin_time_to_acknowledge_seconds": "Time from an incident opening to its acknowledgement.",
        "tocsin_escalation_steps_total": "Escalation steps run.",
        "tocsin_escalation_lateness_seconds": "How late escalation steps ran after they fell due (0 when prepared ahead and committed in time).",
        "tocsin_notifications_total": "Delivery attempts, by medium and result (sent, retry, dead).",
        "tocsin_delivery_duration_seconds": "Time taken by delivery attempts, by medium.",
        "tocsin_database_operation_duration_seconds": "Time taken by database reads and write transactions.",
        "tocsin_config_reloads_total": "Policy directory reloads, by result.",
        "tocsin_config_last_reload_successful": "Whether the last policy reload worked (1) or not (0).",
        "tocsin_config_last_reload_success_timestamp_seconds": "When the policies were last reloaded successfully (Unix time).",
        "tocsin_build_info": "Tocsin's version; always 1.",
        "tocsin_rate_limited_total": "Requests refused with 429 by the per-client rate limit, by endpoint.",
        "tocsin_retention_deleted_total": "Records deleted for being older than their retention, by kind (incidents, audit_events).",
        "tocsin_database_write_failures_total": "Writes the database did not take (disk full, I/O error, read-only file, locked).",
    ]

    /// Counts the alerts of an accepted payload by status.
    static func received(_ batch: AlertBatch) {
        let firing = batch.alerts.lazy.filter { $0.status == .firing }.count
        counter("tocsin_alerts_received_total", [("source", batch.source), ("status", "firing")]).increment(by: firing)
        counter("tocsin_alerts_received_total", [("source", batch.source), ("status", "resolved")])
            .increment(by: batch.alerts.count - firing)
    }

    /// Counts an ingest request refused with `status`.
    static func rejected(status: Int) {
        let reason =
            switch status {
            case 400: "invalid"
            case 401, 403: "unauthorized"
            case 409: "conflict"
            case 413: "too_large"
            case 415: "unsupported_media_type"
            case 429: "rate_limited"
            default: "unavailable"
            }
        counter("tocsin_ingest_rejected_total", [("reason", reason)]).increment()
    }

    /// Counts a request refused by the rate limiter.
    static func rateLimited(ingest: Bool) {
        counter("tocsin_rate_limited_total", [("endpoint", ingest ? "ingest" : "api")]).increment()
    }

    /// The policies loaded at start count as a successful load (as in Prometheus).
    public static func loadedAtStart(at now: Date) {
        Metrics.Gauge(label: "tocsin_config_last_reload_successful").record(1)
        Metrics.Gauge(label: "tocsin_config_last_reload_success_timestamp_seconds").record(now.timeIntervalSince1970)
    }

    /// Counts a policy reload and remembers whether the last one worked.
    static func reloaded(success: Bool, at now: Date) {
        counter("tocsin_config_reloads_total", [("result", success ? "success" : "failure")]).increment()
        Metrics.Gauge(label: "tocsin_config_last_reload_successful").record(success ? 1 : 0)
        if success {
            Metrics.Gauge(label: "tocsin_config_last_reload_success_timestamp_seconds").record(now.timeIntervalSince1970)
        }
    }

    private static func counter(_ name: String, _ dimensions: [(String, String)]) -> Metrics.Counter {
        Metrics.Counter(label: name, dimensions: dimensions)
    }

    /// Installs the Prometheus backend for swift-metrics (once per process) and returns its
    /// registry, which `GET /metrics` renders. Hummingbird's request metrics are renamed to
    /// `tocsin_http_*` with `route`, `method` and `status` labels.
    public static func bootstrap(version: String) -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let fast: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                .seconds(2), .seconds(5), .seconds(10)]
        factory.defaultDurationHistogramBuckets = fast
        factory.durationHistogramBuckets["tocsin_time_to_acknowledge_seconds"] = [
            .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(900), .seconds(1800),
            .seconds(3600), .seconds(7200), .seconds(14400), .seconds(43200), .seconds(86400),
        ]
        factory.durationHistogramBuckets["tocsin_escalation_lateness_seconds"] = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(60), .seconds(300), .seconds(3600),
        ]
        factory.nameAndLabelSanitizer = { name, labels in
            let renamed =
                switch name {
                case "hb.requests": "tocsin_http_requests_total"
                case "hb.request.errors": "tocsin_http_request_errors_total"
                case "http.server.request.duration": "tocsin_http_request_duration_seconds"
                case "http.server.active_requests": "tocsin_http_active_requests"
                default: name
                }
            let relabelled = labels.map { key, value in
                let short =
                    switch key {
                    case "http.route": "route"
                    case "http.request.method": "method"
                    case "http.response.status_code", "error.type": "status"
                    default: key
                    }
                return (short, value)
            }
            return (renamed, relabelled)
        }
        MetricsSystem.bootstrap(factory)
        // Series that alert rules watch with increase() exist from the start, at 0.
        for medium in Medium.allCases.map(\.rawValue) {
            for result in ["sent", "retry", "dead"] {
                counter("tocsin_notifications_total", [("medium", medium), ("result", result)]).increment(by: 0)
            }
        }
        for reason in ["invalid", "unauthorized", "conflict", "too_large", "unsupported_media_type", "rate_limited", "unavailable"] {
            counter("tocsin_ingest_rejected_total", [("reason", reason)]).increment(by: 0)
        }
        for result in ["success", "failure"] {
            counter("tocsin_config_reloads_total", [("result", result)]).increment(by: 0)
        }
        counter("tocsin_escalation_steps_total", []).increment(by: 0)
        Metrics.Gauge(label: "tocsin_build_info", dimensions: [("version", version)]).record(1)
        return registry
    }
}
