import Foundation
import Hummingbird
import Prometheus
import TocsinCore
import TocsinStore

/// `GET /metrics`: the Prometheus text format. swift-metrics' registry (requests, alerts,
/// deliveries, escalation lateness, …), then gauges read from the database and from /proc.
struct MetricsRoutes {
    let store: any StateStore
    let registry: PrometheusCollectorRegistry
    /// The configuration in force: its heartbeats are reported.
    let policies: ConfigurationStore
    /// The database counts, read at most once a second.
    let counts = RecentValue<OperationalCounts>(maxAge: .seconds(1))
    /// The heartbeats' statuses, read at most once a second too.
    let heartbeatStatuses = RecentValue<[String: HeartbeatStatus]>(maxAge: .seconds(1))

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.get("metrics") { _, _ in
            var text = PrometheusText()
            text.appendDescribing(registry.emitToBuffer(), help: ServerMetrics.help)
            let counts = try await counts.value { try await store.operationalCounts() }
            text.family("tocsin_incidents", type: "gauge", help: "Incidents by state.")
            for state in IncidentState.allCases {
                text.sample("tocsin_incidents", ["state": state.rawValue], Double(counts.incidents[state.rawValue] ?? 0))
            }
            text.family("tocsin_outbox", type: "gauge", help: "Notifications in the outbox by state.")
            for state in OutboxEntry.State.allCases {
                text.sample("tocsin_outbox", ["state": state.rawValue], Double(counts.outbox[state.rawValue] ?? 0))
            }
            text.family(
                "tocsin_last_successful_delivery_timestamp_seconds", type: "gauge",
                help: "When the newest notification was delivered (Unix time; 0 if none ever was).")
            text.sample("tocsin_last_successful_delivery_timestamp_seconds", [:], counts.lastSentAt?.timeIntervalSince1970 ?? 0)
            text.family("tocsin_database_size_bytes", type: "gauge", help: "The database file and its write-ahead log, in bytes.")
            text.sample("tocsin_database_size_bytes", [:], Double(try await store.databaseSizeBytes()))
            try await writeHeartbeats(into: &text)
            ProcessStatistics.read()?.write(into: &text)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text.bytes)))
        }
        return routes
    }

    /// One sample per configured heartbeat: its last beat, and whether it is missed.
    private func writeHeartbeats(into text: inout PrometheusText) async throws {
        let heartbeats = policies.configuration.heartbeats
        guard !heartbeats.isEmpty else { return }
        let statuses = try await heartbeatStatuses.value { try await store.heartbeatStatuses() }
        text.family(
            "tocsin_heartbeat_last_beat_timestamp_seconds", type: "gauge",
            help: "When each heartbeat last beat (Unix time; 0 if it never did).")
        for heartbeat in heartbeats {
            text.sample(
                "tocsin_heartbeat_last_beat_timestamp_seconds", ["heartbeat": heartbeat.name],
                statuses[heartbeat.name]?.lastBeatAt?.timeIntervalSince1970 ?? 0)
        }
        text.family(
            "tocsin_heartbeat_missed", type: "gauge", help: "1 while a heartbeat is missed (its HeartbeatMissed incident opened), else 0.")
        for heartbeat in heartbeats {
            text.sample("tocsin_heartbeat_missed", ["heartbeat": heartbeat.name], statuses[heartbeat.name]?.state == .missed ? 1 : 0)
        }
    }
}

/// Appends metric families to Prometheus' text exposition format.
struct PrometheusText {
    var bytes: [UInt8] = []

    /// Appends swift-prometheus' exposition, adding the `# HELP` line swift-metrics cannot give
    /// before each family's `# TYPE` line.
    mutating func appendDescribing(_ exposition: [UInt8], help: [String: String]) {
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                append("# HELP \(name) \(help[String(name)] ?? "Tocsin's \(name.replacingOccurrences(of: "_", with: " ")).")\n")
            }
            if !line.hasPrefix("# HELP ") {
                append(line + "\n")
            }
        }
    }

    mutating func family(_ name: String, type: String, help: String) {
        append("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        var line = name
        if !labels.isEmpty {
            line += "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        let number = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        append("\(line) \(number)\n")
    }

    private mutating func append(_ string: String) {
        bytes.append(contentsOf: Array(string.utf8))
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
