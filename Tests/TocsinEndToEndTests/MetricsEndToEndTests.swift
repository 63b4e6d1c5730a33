import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// `GET /metrics` of the real `tocsin serve`, checked by Prometheus' own `promtool`.
@Suite("Metrics, end to end", .serialized)
struct MetricsEndToEndTests {
    /// The metric families an operator (and deploy/'s rules and dashboard) relies on.
    static let required = [
        "tocsin_http_requests_total", "tocsin_http_request_duration_seconds", "tocsin_alerts_received_total",
        "tocsin_ingest_rejected_total", "tocsin_incidents", "tocsin_incident_transitions_total",
        "tocsin_time_to_acknowledge_seconds", "tocsin_escalation_lateness_seconds", "tocsin_escalation_steps_total",
        "tocsin_notifications_total", "tocsin_delivery_duration_seconds", "tocsin_outbox",
        "tocsin_last_successful_delivery_timestamp_seconds", "tocsin_database_operation_duration_seconds", "tocsin_database_size_bytes",
        "tocsin_config_reloads_total", "tocsin_config_last_reload_successful", "tocsin_build_info",
        "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds",
    ]

    /// A server that has ingested, escalated, delivered, been acknowledged and reloaded, and its scrape.
    static func scrape() throws -> (text: String, families: Set<String>) {
        let directory = try TemporaryDirectory("tocsin-metrics")
        defer { directory.remove() }
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try TestPolicies.write(
            TestPolicies.pageAlice(
                ["webhook: \"http://127.0.0.1:\(receiver.port)/alice\""],
                steps: ["{after: 0s, notify: [person: alice]}", "{after: 1s, notify: [person: alice]}"]),
            in: directory)
        let db = directory.path("tocsin.sqlite")
        let token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
            .stdout.split(separator: "\n").last.map(String.init) ?? ""
        let server = try ServerProcess(arguments: ["--db", db, "--config", directory.path("policies")], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        func post(_ path: String, _ body: [UInt8], auth: Bool = false) throws -> Int {
            var headers = [("Content-Type", "application/json")]
            if auth { headers.append(("Authorization", "Bearer \(token)")) }
            return try HTTPTransfer.perform(HTTPTransferRequest(method: "POST", url: server.url + path, headers: headers, body: body)).status
        }
        #expect(try post("/api/v1/ingest/alertmanager", Array(try Fixtures.data("webhook-01-firing-critical-single"))) == 200)
        #expect(try post("/api/v1/ingest/alertmanager", Array("{}".utf8)) == 400)
        #expect(receiver.waitForRecords(2, seconds: 10).count == 2, "the page and the escalation at +1s")
        #expect(try post("/api/v1/incidents/1/ack", [], auth: true) == 200)
        #expect(try post("/-/reload", [], auth: true) == 200)
        // The ack tells alice too; the scrape is taken once all three deliveries are recorded.
        var response = try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + "/metrics"))
        #expect(try eventually(within: 10) {
            response = try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + "/metrics"))
            return String(decoding: response.body, as: UTF8.self).contains(#"tocsin_outbox{state="sent"} 3"#)
        })
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = String(decoding: response.body, as: UTF8.self)
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        return (text, families)
    }

    /// Runs `command` with /bin/sh in the repository's root; its exit status and output.
    static func shell(_ command: String) throws -> (status: Int32, output: String) {
        try runToCompletion("/bin/sh", ["-c", "cd \"$0\" && \(command)", Fixtures.repositoryRoot.path])
    }

    @Test("deploy/: the alert rules pass promtool check and their unit tests; the dashboard uses only exported metrics")
    func deployArtifacts() throws {
        for command in [
            "/usr/bin/promtool check rules deploy/prometheus/tocsin-rules.yml",
            "/usr/bin/promtool test rules deploy/prometheus/tocsin-rules.test.yml",
            "/usr/bin/promtool check config deploy/prometheus/prometheus.yml",
            "/usr/bin/amtool check-config deploy/alertmanager/alertmanager.yml",
        ] {
            let result = try Self.shell(command)
            #expect(result.status == 0, "\(command): \(result.output)")
        }
        let families = try Self.scrape().families
        var expressions: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, child) in object {
                    if key == "expr", let expression = child as? String { expressions.append(expression) } else { collect(child) }
                }
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("deploy/grafana/tocsin-dashboard.json"))))
        #expect(expressions.count >= 10)
        let rules = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("deploy/prometheus/tocsin-rules.yml"), encoding: .utf8)
        let names = try Regex(#"\b(?:tocsin|process)_[a-z_]+"#)
        for source in expressions + [rules] {
            for match in source.matches(of: names) {
                var name = String(source[match.range])
                for suffix in ["_bucket", "_sum", "_count"] where !families.contains(name) && name.hasSuffix(suffix) {
                    name = String(name.dropLast(suffix.count))
                }
                #expect(families.contains(name), "\(name) (in \(source.prefix(80))) is not exported")
            }
        }
    }

    @Test("a live scrape passes promtool check metrics and has every family with the values the run implies")
    func liveScrape() throws {
        let (text, families) = try Self.scrape()
        let missing = Self.required.filter { !families.contains($0) }
        #expect(missing.isEmpty, "missing: \(missing)")

        let directory = try TemporaryDirectory("tocsin-promtool")
        defer { directory.remove() }
        try text.write(toFile: directory.path("scrape.txt"), atomically: true, encoding: .utf8)
        let promtool = try runToCompletion("/bin/sh", ["-c", "/usr/bin/promtool check metrics < \"$0\"", directory.path("scrape.txt")])
        #expect(promtool.status == 0, "promtool: \(promtool.output)")

        for line in [
            #"tocsin_alerts_received_total{source="alertmanager",status="firing"} 1"#,
            #"tocsin_ingest_rejected_total{reason="invalid"} 1"#,
            #"tocsin_incidents{state="acknowledged"} 1"#,
            #"tocsin_incident_transitions_total{to="acknowledged"} 1"#,
            "tocsin_time_to_acknowledge_seconds_count 1",
            "tocsin_escalation_steps_total 2",
            #"tocsin_notifications_total{medium="webhook",result="sent"} 3"#,
            #"tocsin_config_reloads_total{result="success"} 1"#,
            #"tocsin_http_requests_total{route="/api/v1/ingest/alertmanager",method="POST",status="400"} 1"#,
        ] {
            #expect(text.contains(line + "\n"), "no line \(line)")
        }
        #expect(!text.contains("tocsin_last_successful_delivery_timestamp_seconds 0\n"))
    }
}
