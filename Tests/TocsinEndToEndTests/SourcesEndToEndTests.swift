import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinTestSupport

/// Every source other than Alertmanager, from a real HTTP post to the real binary through to a
/// page at a real webhook receiver: Grafana's contact point, a generic event from `tocsin fire`,
/// PagerDuty Events v2, and CloudWatch alarms through an SNS subscription signed with a test
/// certificate served from 127.0.0.1.
@Suite("Sources, end to end")
struct SourcesEndToEndTests {
    /// Tocsin paging alice for every alert, with one integration of each keyed source.
    final class World {
        let directory: TemporaryDirectory
        let webhook: PeerProcess
        let server: ServerProcess
        let token: String
        var keys: [Integration.Source: String] = [:]

        init() throws {
            directory = try TemporaryDirectory("tocsin-sources")
            webhook = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("webhook.jsonl"))
            try TestPolicies.write(TestPolicies.pageAlice([#"webhook: "http://127.0.0.1:\#(webhook.port)/alice""#]), in: directory)
            let db = directory.path("tocsin.sqlite")
            token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
                .stdout.split(separator: "\n").last.map(String.init) ?? ""
            for source in [Integration.Source.pagerduty, .generic, .cloudwatch] {
                let added = try TocsinBinary.run([
                    "integrations", "add", "\(source.rawValue)-billing", "--source", source.rawValue, "--label", "service=billing", "--db", db,
                ])
                keys[source] = added.stdout.split(separator: "\n").dropFirst().first.map(String.init)
            }
            server = try ServerProcess(
                arguments: ["--db", db, "--config", directory.path("policies"), "--testing-sns-host", "127.0.0.1"],
                logPath: directory.path("serve.log"))
        }

        func post(_ path: String, _ body: [UInt8], headers: [(String, String)] = [("Content-Type", "application/json")], method: String = "POST")
            throws -> HTTPTransferResponse
        {
            try HTTPTransfer.perform(HTTPTransferRequest(
                method: method, url: server.url + path, headers: headers.map { (name: $0.0, value: $0.1) }, body: body))
        }

        func incidents() throws -> [[String: Any]] {
            let outcome = try TocsinBinary.run(
                ["incidents", "--state", "all", "--json"], environment: ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token])
            return (try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])?["incidents"] as? [[String: Any]] ?? []
        }

        /// The pages alice received: each webhook body as JSON.
        func pages() -> [[String: Any]] {
            webhook.records().compactMap { record in
                (record["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            }
        }

        func events() -> [String] { pages().compactMap { $0["event"] as? String } }

        func tearDown() {
            _ = server.stop(signal: SIGKILL)
            webhook.stop()
            directory.remove()
        }
    }

    static func fixture(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/\(path)")))
    }

    @Test("Grafana's contact point: the firing body pages alice with Grafana's links; the resolved body resolves it")
    func grafana() throws {
        let world = try World()
        defer { world.tearDown() }
        #expect(try world.post("/api/v1/ingest/grafana", Self.fixture("grafana/firing.json")).status == 200)
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1, "\(world.server.log())")
        let page = try #require(world.pages().first)
        let alerts = page["alerts"] as? [[String: Any]] ?? []
        #expect(alerts.contains { (($0["annotations"] as? [String: String])?["dashboardURL"])?.hasPrefix("https://") == true })
        #expect((try world.incidents().first?["source"] as? String) == "grafana")
        // Grafana may be set to PUT.
        #expect(try world.post("/api/v1/ingest/grafana", Self.fixture("grafana/resolved.json"), method: "PUT").status == 200)
        #expect(try eventually(within: 10) { (try world.incidents().first?["state"] as? String) == "resolved" })
        #expect(eventually(within: 10) { world.events() == ["triggered", "resolved"] }, "\(world.events())")
    }

    @Test("tocsin fire pages through a generic integration, and fire --resolve resolves it; a wrong key changes nothing")
    func generic() throws {
        let world = try World()
        defer { world.tearDown() }
        let environment = ["TOCSIN_URL": world.server.url, "TOCSIN_INTEGRATION_KEY": try #require(world.keys[.generic])]
        let wrong = try TocsinBinary.run(
            ["fire", "--key", "backup-nightly"], environment: ["TOCSIN_URL": world.server.url, "TOCSIN_INTEGRATION_KEY": "nope"])
        #expect(wrong.status != 0 && wrong.stderr.contains("not the key of a generic integration"), "\(wrong.stderr)")
        #expect(try world.incidents().isEmpty)

        let fired = try TocsinBinary.run(
            ["fire", "--key", "backup-nightly", "--severity", "critical", "--summary", "Nightly backup failed", "--label", "host=db1"],
            environment: environment)
        #expect(fired.status == 0 && fired.stdout.contains("Fired backup-nightly: incident #1 (triggered)"), "\(fired.stdout)\(fired.stderr)")
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1)
        let alert = try #require((world.pages().first?["alerts"] as? [[String: Any]])?.first)
        #expect(alert["labels"] as? [String: String] == [
            "alertname": "backup-nightly", "severity": "critical", "host": "db1", "service": "billing",
        ])
        let resolved = try TocsinBinary.run(["fire", "--key", "backup-nightly", "--resolve"], environment: environment)
        #expect(resolved.status == 0 && resolved.stdout.contains("Resolved backup-nightly: incident #1 (resolved)"), "\(resolved.stdout)")
        #expect(eventually(within: 10) { world.events() == ["triggered", "resolved"] }, "\(world.events())")
    }

    @Test("PagerDuty Events v2 at /v2/enqueue: trigger pages (answered 202 with the dedup key), acknowledge and resolve follow; an invalid event is a 400 in PagerDuty's words")
    func pagerDuty() throws {
        let world = try World()
        defer { world.tearDown() }
        var event = try #require(try JSONSerialization.jsonObject(with: Data(Self.fixture("pagerduty/trigger.json"))) as? [String: Any])
        event["routing_key"] = try #require(world.keys[.pagerduty])
        var payload = event["payload"] as? [String: Any] ?? [:]
        payload["severity"] = "critical"
        event["payload"] = payload
        let triggered = try world.post("/v2/enqueue", Array(try JSONSerialization.data(withJSONObject: event)))
        #expect(triggered.status == 202)
        let answer = try JSONSerialization.jsonObject(with: Data(triggered.body)) as? [String: Any]
        #expect(answer?["status"] as? String == "success" && answer?["dedup_key"] as? String == "samplekeyhere")
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1, "\(world.server.log())")

        for action in ["acknowledge", "resolve"] {
            let body = ["routing_key": event["routing_key"] as Any, "dedup_key": "samplekeyhere", "event_action": action]
            #expect(try world.post("/api/v1/ingest/pagerduty", Array(try JSONSerialization.data(withJSONObject: body))).status == 202)
        }
        #expect(try eventually(within: 10) { (try world.incidents().first?["state"] as? String) == "resolved" })
        let incident = try #require(try world.incidents().first)
        #expect(incident["receiver"] as? String == "pagerduty:pagerduty-billing" && incident["source"] as? String == "pagerduty")
        #expect(eventually(within: 10) { world.events() == ["triggered", "acknowledged", "resolved"] }, "\(world.events())")

        let invalid = try world.post("/v2/enqueue", Array(#"{"event_action":"trigger","routing_key":"short"}"#.utf8))
        #expect(invalid.status == 400)
        let refusal = try JSONSerialization.jsonObject(with: Data(invalid.body)) as? [String: Any]
        #expect(refusal?["status"] as? String == "invalid event")
        #expect((refusal?["errors"] as? [String])?.contains { $0.contains("routing_key") } == true, "\(String(decoding: invalid.body, as: UTF8.self))")
        #expect(try world.incidents().count == 1)
    }

    @Test("CloudWatch through SNS: the subscription is confirmed, a signed ALARM pages, OK resolves; a badly signed message is a 403 and changes nothing")
    func cloudWatch() throws {
        let world = try World()
        defer { world.tearDown() }
        // The signing certificate and the SubscribeURL, served from 127.0.0.1 by Python's http.server.
        let signer = try SNSTestSigner()
        let files = try TemporaryDirectory("tocsin-sns")
        defer { files.remove() }
        try signer.certificatePEM.write(toFile: files.path("SimpleNotificationService-test.pem"), atomically: true, encoding: .utf8)
        try "confirmed".write(toFile: files.path("confirm"), atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let files_server = try BackgroundProcess(
            executable: "/usr/bin/python3",
            arguments: ["-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", files.path("")],
            logPath: world.directory.path("sns-files.log"))
        defer { files_server.stop() }
        let base = "http://127.0.0.1:\(port)"
        #expect(eventually(within: 10) {
            (try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: base + "/confirm")))?.status == 200
        })
        let path = "/api/v1/ingest/cloudwatch/\(try #require(world.keys[.cloudwatch]))"
        func signed(_ fixture: String, version: String = "2", tweak: (inout SNSMessage) -> Void = { _ in }) throws -> [UInt8] {
            var message = try SNSMessage.decode(Self.fixture("cloudwatch/\(fixture).json"))
            message.signingCertURL = base + "/SimpleNotificationService-test.pem"
            if message.type == .subscriptionConfirmation { message.subscribeURL = base + "/confirm" }
            message = try signer.signed(message, version: version)
            tweak(&message)
            return try SNSTestSigner.body(message)
        }
        let headers = [("Content-Type", "text/plain; charset=UTF-8")]

        #expect(try world.post(path, signed("sns-subscription-confirmation", version: "1"), headers: headers).status == 200)
        #expect(files_server.log().contains("GET /confirm"), "the SubscribeURL was fetched")
        #expect(world.server.log().contains("SNS subscription confirmed"))
        let audit = try TocsinBinary.run(["audit", "--json", "--db", world.directory.path("tocsin.sqlite")])
        #expect(audit.stdout.contains("integration.subscription_confirmed"), "\(audit.stdout)\(audit.stderr)")

        let forged = try signed("sns-notification-alarm") { $0.message = $0.message.replacingOccurrences(of: "web-prod", with: "web-test") }
        let refused = try world.post(path, forged, headers: headers)
        #expect(refused.status == 403 && String(decoding: refused.body, as: UTF8.self).contains("Signature"))
        // Correctly signed, but from another topic than the one the confirmation pinned.
        let elsewhere = try signed("sns-notification-alarm") { message in
            message.topicArn = "arn:aws:sns:us-east-1:999999999999:someone-elses"
            message.signature = (try? signer.sign(message.stringToSign, version: "2")) ?? ""
        }
        let otherTopic = try world.post(path, elsewhere, headers: headers)
        #expect(otherTopic.status == 403 && String(decoding: otherTopic.body, as: UTF8.self).contains("TopicArn"))
        #expect(try world.incidents().isEmpty, "a forged alarm opens nothing")

        #expect(try world.post(path, signed("sns-notification-alarm"), headers: headers).status == 200)
        #expect(world.webhook.waitForRecords(1, seconds: 10).count == 1, "\(world.server.log())")
        let labels = (world.pages().first?["alerts"] as? [[String: Any]])?.first?["labels"] as? [String: String]
        #expect(labels?["alertname"] == "web-prod-HighCPU" && labels?["service"] == "billing" && labels?["dimension_InstanceId"] != nil,
                "\(labels ?? [:])")
        #expect(try world.post(path, signed("sns-notification-ok", version: "1"), headers: headers).status == 200)
        #expect(try eventually(within: 10) { (try world.incidents().first?["state"] as? String) == "resolved" })
        #expect(try world.incidents().count == 1)
    }
}
