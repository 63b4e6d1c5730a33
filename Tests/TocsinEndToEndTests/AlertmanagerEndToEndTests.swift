import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// Tocsin behind the real Alertmanager 0.25 and Prometheus from Debian, all on 127.0.0.1 with
/// temporary storage and short timers: alerts fired with `amtool` and by a Prometheus rule over a
/// scrape target the test stops; pages to a real webhook receiver and a real SMTP server.
@Suite("Alertmanager and Prometheus, end to end", .serialized)
struct AlertmanagerEndToEndTests {
    static let alertmanager = "/usr/bin/prometheus-alertmanager"
    static let amtool = "/usr/bin/amtool"
    static let prometheus = "/usr/bin/prometheus"

    /// Tocsin, its peers and Alertmanager, started fresh for one test and stopped by PID.
    final class World {
        let directory: TemporaryDirectory
        let webhook: PeerProcess
        let smtp: PeerProcess
        let server: ServerProcess
        private(set) var alertmanager: BackgroundProcess
        let alertmanagerURL: String
        let alertmanagerArguments: [String]
        let token: String
        var others: [BackgroundProcess] = []

        /// `policies` writes the policy directory given the webhook receiver's port (by default
        /// every alert pages alice); `groupBy` is Alertmanager's `group_by`; `routes` and
        /// `receivers` (given Tocsin's URL) are added to Alertmanager's configuration.
        init(
            policies: ((Int) -> String)? = nil, groupBy: String = "[alertname]", routes: String = "",
            receivers: (String) -> String = { _ in "" }
        ) throws {
            directory = try TemporaryDirectory("tocsin-am")
            webhook = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("webhook.jsonl"))
            smtp = try PeerProcess(script: "smtp_sink.py", arguments: [], logPath: directory.path("mail.jsonl"))
            try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
            try (policies?(webhook.port) ?? """
                people:
                  - {name: alice, email: alice@example.com, webhook: "http://127.0.0.1:\(webhook.port)/alice"}
                routes:
                  - policy: page-alice
                policies:
                  - name: page-alice
                    steps:
                      - {after: 0s, notify: [person: alice]}
                    ack_timeout: 1h
                """).write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
            let db = directory.path("tocsin.sqlite")
            token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
                .stdout.split(separator: "\n").last.map(String.init) ?? ""
            server = try ServerProcess(
                arguments: ["--db", db, "--config", directory.path("policies"), "--smtp-url", "smtp://127.0.0.1:\(smtp.port)",
                            "--smtp-from", "Tocsin <tocsin@example.com>"],
                logPath: directory.path("serve.log"))
            let port = try freeLoopbackPort()
            alertmanagerURL = "http://127.0.0.1:\(port)"
            try """
                route:
                  receiver: tocsin
                  group_by: \(groupBy)
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 2s
                \(routes)
                receivers:
                  - name: tocsin
                    webhook_configs:
                      - url: \(server.url)/api/v1/ingest/alertmanager
                        send_resolved: true
                \(receivers(server.url))
                """.write(toFile: directory.path("alertmanager.yml"), atomically: true, encoding: .utf8)
            alertmanagerArguments = [
                "--config.file=\(directory.path("alertmanager.yml"))", "--storage.path=\(directory.path("am-data"))",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
            ]
            alertmanager = try Self.startAlertmanager(alertmanagerArguments, url: alertmanagerURL, log: directory.path("alertmanager.log"))
        }

        static func startAlertmanager(_ arguments: [String], url: String, log: String) throws -> BackgroundProcess {
            let alertmanager = try BackgroundProcess(executable: AlertmanagerEndToEndTests.alertmanager, arguments: arguments, logPath: log)
            guard eventually(within: 20, { World.get(url + "/-/ready") == 200 }) else {
                throw ServerProcessError(message: "Alertmanager did not start:\n\(alertmanager.log())")
            }
            return alertmanager
        }

        /// Starts Alertmanager again, on the same address and storage, after `alertmanager.stop()`.
        func restartAlertmanager() throws {
            alertmanager = try Self.startAlertmanager(alertmanagerArguments, url: alertmanagerURL, log: directory.path("alertmanager.log"))
        }

        static func get(_ url: String) -> Int? {
            (try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: url, connectTimeout: 1, totalTimeout: 3)))?.status
        }

        /// `amtool alert add` against this Alertmanager.
        func amtool(_ arguments: [String]) throws {
            let amtool = try runToCompletion(
                AlertmanagerEndToEndTests.amtool, ["alert", "add", "--alertmanager.url=\(alertmanagerURL)"] + arguments)
            #expect(amtool.status == 0, "amtool: \(amtool.output)")
        }

        /// Tocsin's incidents, through the CLI's JSON.
        func incidents() throws -> [[String: Any]] {
            let outcome = try TocsinBinary.run(
                ["incidents", "--state", "all", "--json"], environment: ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token])
            let page = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
            return page?["incidents"] as? [[String: Any]] ?? []
        }

        /// The events of the pages the webhook receiver got.
        func webhookEvents() -> [String] {
            webhook.records().compactMap { record in
                (record["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["event"]
                    as? String
            }
        }

        /// How many webhooks Alertmanager delivered to Tocsin (from Tocsin's request log).
        func ingestRequests() -> Int {
            server.log().split(separator: "\n").filter { $0.contains("\"path\":\"/api/v1/ingest/alertmanager\"") }.count
        }

        func tearDown() {
            for process in others { process.stop() }
            alertmanager.stop()
            server.stop(signal: SIGKILL)
            webhook.stop()
            smtp.stop()
            directory.remove()
        }
    }

    @Test("amtool alerts: one incident as Alertmanager grouped them, one page per contact despite repeats, resolved with the alerts")
    func amtoolAlerts() throws {
        let world = try World()
        defer { world.tearDown() }
        try world.amtool(["alertname=DiskFull", "severity=critical", "instance=db1", "--annotation=summary=Disk full on db1"])
        try world.amtool(["alertname=DiskFull", "severity=critical", "instance=db2", "--annotation=summary=Disk full on db2"])

        #expect(try eventually(within: 20) { (try world.incidents().first?["alert_count"] as? Int) == 2 }, "\(world.server.log())")
        let incidents = try world.incidents()
        #expect(incidents.count == 1)
        #expect(incidents.first?["group_key"] as? String == #"{}:{alertname="DiskFull"}"#)
        #expect(incidents.first?["receiver"] as? String == "tocsin")

        // The page reaches alice by webhook and by email, once.
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1)
        #expect(world.smtp.waitForRecords(1, seconds: 10).count == 1)
        // Alertmanager re-sends the unchanged group every 2 s; Tocsin must not page again.
        let before = world.ingestRequests()
        #expect(eventually(within: 15) { world.ingestRequests() >= before + 3 }, "Alertmanager did not repeat: \(world.alertmanager.log())")
        #expect(world.webhookEvents() == ["triggered"])
        #expect(world.smtp.records().count == 1)

        // Both alerts end: Alertmanager sends the resolve, the incident resolves, alice is told.
        let now = ISO8601DateFormatter().string(from: Date())
        try world.amtool(["alertname=DiskFull", "severity=critical", "instance=db1", "--annotation=summary=Disk full on db1", "--end=\(now)"])
        try world.amtool(["alertname=DiskFull", "severity=critical", "instance=db2", "--annotation=summary=Disk full on db2", "--end=\(now)"])
        #expect(try eventually(within: 20) { (try world.incidents().first?["state"] as? String) == "resolved" }, "\(world.server.log())")
        #expect(eventually(within: 10) { world.webhookEvents() == ["triggered", "resolved"] }, "\(world.webhookEvents())")
        #expect(try world.incidents().count == 1)
    }

    @Test("group_by [alertname, cluster] with mixed severities: the critical alerts page alice at once, the warning tells the team")
    func mixedSeverities() throws {
        let world = try World(policies: { port in
            """
            people:
              - {name: alice, webhook: "http://127.0.0.1:\(port)/alice"}
            channels:
              - {name: team-chat, webhook: "http://127.0.0.1:\(port)/team-chat"}
            routes:
              - {matchers: ['severity="critical"'], policy: critical-immediate}
              - {policy: warning-24h}
            policies:
              - name: critical-immediate
                steps:
                  - {after: 0s, notify: [person: alice]}
              - name: warning-24h
                steps:
                  - {after: 0s, kind: notify, notify: [channel: team-chat]}
                  - {after: 24h, notify: [person: alice]}
            """
        }, groupBy: "[alertname, cluster]")
        defer { world.tearDown() }
        // One POST of three alerts: Alertmanager sends them to Tocsin as one group, whose common
        // labels hold no severity.
        let alerts = [("db1:9100", "critical"), ("db1:9101", "critical"), ("db2:9100", "warning")].map { instance, severity in
            #"{"labels": {"alertname": "DiskFull", "cluster": "eu1", "instance": "\#(instance)", "severity": "\#(severity)"}}"#
        }
        let posted = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: world.alertmanagerURL + "/api/v2/alerts", headers: [("Content-Type", "application/json")],
            body: Array("[\(alerts.joined(separator: ","))]".utf8)))
        #expect(posted.status == 200)

        #expect(eventually(within: 20) { world.webhook.records().contains { ($0["path"] as? String) == "/alice" } },
                "alice was not paged: \(world.server.log())")
        let incidents = try world.incidents()
        #expect(incidents.count == 1)
        #expect(incidents.first?["group_key"] as? String == #"{}:{alertname="DiskFull", cluster="eu1"}"#)
        #expect(incidents.first?["severity"] as? String == "critical")
        #expect(incidents.first?["alert_count"] as? Int == 3, "the three alerts came as one group")
        #expect(eventually(within: 10) { world.webhook.records().contains { ($0["path"] as? String) == "/team-chat" } })
        let shown = try TocsinBinary.run(["show", "1"], environment: ["TOCSIN_URL": world.server.url, "TOCSIN_TOKEN": world.token])
        #expect(shown.stdout.contains("critical-immediate") && shown.stdout.contains("started by DiskFull on db1:910"), "\(shown.stdout)")
    }

    @Test("a Prometheus rule over a stopped scrape target opens an incident that resolves when the target is back")
    func prometheusRule() throws {
        let world = try World()
        defer { world.tearDown() }
        let targetPort = try freeLoopbackPort()
        var target = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--port", "\(targetPort)"], logPath: world.directory.path("target.jsonl"))
        defer { target.stop() }
        let prometheusPort = try freeLoopbackPort()
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            alerting:
              alertmanagers:
                - static_configs: [{targets: ["\(world.alertmanagerURL.dropFirst("http://".count))"]}]
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: target
                static_configs: [{targets: ["127.0.0.1:\(targetPort)"]}]
            """.write(toFile: world.directory.path("prometheus.yml"), atomically: true, encoding: .utf8)
        try """
            groups:
              - name: tocsin-e2e
                rules:
                  - alert: TargetDown
                    expr: up{job="target"} == 0
                    labels: {severity: critical}
                    annotations: {summary: "{{ $labels.instance }} is down"}
            """.write(toFile: world.directory.path("rules.yml"), atomically: true, encoding: .utf8)
        let prometheus = try BackgroundProcess(
            executable: AlertmanagerEndToEndTests.prometheus,
            arguments: [
                "--config.file=\(world.directory.path("prometheus.yml"))", "--storage.tsdb.path=\(world.directory.path("prom-data"))",
                "--web.listen-address=127.0.0.1:\(prometheusPort)",
            ],
            logPath: world.directory.path("prometheus.log"))
        world.others.append(prometheus)
        let query = "http://127.0.0.1:\(prometheusPort)/api/v1/query?query=up%7Bjob%3D%22target%22%7D%3D%3D1"
        #expect(eventually(within: 30) { World.body(query).contains("\"value\"") }, "target never scraped: \(prometheus.log())")

        target.stop()
        #expect(try eventually(within: 30) { (try world.incidents().first?["title"] as? String)?.contains("is down") == true },
                "no incident: \(world.server.log())\n\(prometheus.log())")
        let incident = try #require(try world.incidents().first)
        #expect(incident["group_key"] as? String == #"{}:{alertname="TargetDown"}"#)
        #expect(incident["severity"] as? String == "critical")
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1)

        target = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--port", "\(targetPort)"], logPath: world.directory.path("target.jsonl"))
        #expect(try eventually(within: 30) { (try world.incidents().first?["state"] as? String) == "resolved" },
                "not resolved: \(world.server.log())")
        #expect(try world.incidents().count == 1)
        #expect(eventually(within: 10) { world.webhookEvents() == ["triggered", "resolved"] }, "\(world.webhookEvents())")
    }
}

extension AlertmanagerEndToEndTests.World {
    static func body(_ url: String) -> String {
        (try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: url, connectTimeout: 1, totalTimeout: 3)))
            .map { String(decoding: $0.body, as: UTF8.self) } ?? ""
    }
}
