import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

/// Grafana-managed alerts through the Alertmanager reader in Grafana's dialect (see
/// Tests/Fixtures/grafana/README.md for where the fixtures' shape comes from).
@Suite("Grafana webhook")
struct GrafanaWebhookTests {
    let now = Date(timeIntervalSince1970: 1_795_800_000)

    /// The bytes of a fixture in Tests/Fixtures/grafana (name without `.json`).
    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/grafana/\(name).json")))
    }

    static let memoryLabels = [
        "alertname": "HighMemoryUsage", "grafana_folder": "Infra", "severity": "critical", "team": "blue", "zone": "us-1",
    ]
    static let memoryLinks = [
        "silenceURL":
            "https://grafana.example.test/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHighMemoryUsage&matcher=zone%3Dus-1&orgId=1",
        "dashboardURL": "https://grafana.example.test/d/node-mem?orgId=1",
        "panelURL": "https://grafana.example.test/d/node-mem?orgId=1&viewPanel=4",
    ]

    @Test("the firing example decodes: source grafana, receiver and group key from the body, links and values as annotations")
    func firing() throws {
        let batch = try GrafanaWebhook.decode(Self.fixture("firing"), receivedAt: now)
        #expect(batch.source == "grafana")
        #expect(batch.receiver == "tocsin")
        #expect(batch.groupKey == #"{}/{team="blue"}:{grafana_folder="Infra"}"#)
        #expect(batch.status == .firing)
        #expect(batch.groupLabels == ["grafana_folder": "Infra"])
        #expect(batch.commonLabels == ["grafana_folder": "Infra", "team": "blue"])
        #expect(batch.commonAnnotations.isEmpty)
        #expect(batch.externalURL == "https://grafana.example.test/")
        #expect(batch.truncatedAlerts == 0)
        #expect(batch.alerts.count == 2)

        let memory = try #require(batch.alerts.first)
        #expect(memory.fingerprint.description == "3f9d1c2ab47e0a65", "Grafana's own fingerprint is kept")
        #expect(memory.status == .firing)
        #expect(memory.labels == Self.memoryLabels)
        var expected = Self.memoryLinks
        expected["description"] = "Memory use on us-1 has been above 40% for 5 minutes"
        expected["runbook_url"] = "https://runbooks.example.test/HighMemoryUsage"
        expected["summary"] = "High memory usage in zone us-1"
        expected["values"] = "B=44.23943737541908, C=1"
        #expect(memory.annotations == expected)
        #expect(memory.startsAt == RFC3339.parse("2026-11-27T07:51:03.157076Z"), "+02:00 is two hours ahead of UTC")
        #expect(memory.endsAt == nil, "Go's zero time means not ended")
        #expect(memory.generatorURL == "https://grafana.example.test/alerting/grafana/mem-us1/view?orgId=1")

        let cpu = batch.alerts[1]
        #expect(cpu.fingerprint == Fingerprint(hex: "8b21e0f4c6d39a7e"))
        #expect(cpu.labels["alertname"] == "HighCPUUsage")
        #expect(cpu.annotations["dashboardURL"] == nil && cpu.annotations["panelURL"] == nil, "empty links are left out")
        #expect(cpu.annotations["silenceURL"] != nil)
        #expect(cpu.annotations["values"] == "B=91.5, C=1")
        #expect(cpu.startsAt == RFC3339.parse("2026-11-27T07:56:03.157076Z"))
    }

    @Test("the resolved example resolves the same alerts, with end times in either form")
    func resolved() throws {
        let firing = try GrafanaWebhook.decode(Self.fixture("firing"), receivedAt: now)
        let batch = try GrafanaWebhook.decode(Self.fixture("resolved"), receivedAt: now)
        #expect(batch.source == "grafana")
        #expect(batch.status == .resolved)
        #expect(batch.receiver == firing.receiver && batch.groupKey == firing.groupKey, "the same incident")
        #expect(batch.alerts.map(\.fingerprint) == firing.alerts.map(\.fingerprint), "the same alerts")
        #expect(batch.alerts.allSatisfy { $0.status == .resolved })
        let memory = batch.alerts[0]
        #expect(memory.endsAt == RFC3339.parse("2026-11-27T08:12:03.157076Z"))
        #expect(memory.annotations["values"] == "B=12.5, C=0")
        #expect(memory.annotations["dashboardURL"] == Self.memoryLinks["dashboardURL"])
        let cpu = batch.alerts[1]
        #expect(cpu.endsAt == RFC3339.parse("2026-11-27T08:14:03Z"))
        #expect(cpu.annotations["values"] == nil, "null values are left out")
        #expect(cpu.startsAt == RFC3339.parse("2026-11-27T07:56:03.157076Z"))
    }

    @Test("an annotation set on the rule wins over the one made from Grafana's field of the same name")
    func ownAnnotationWins() throws {
        let body = #"{"version":"1","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"alertname":"A"},"annotations":{"dashboardURL":"https://wiki.example.test/a"},"dashboardURL":"https://grafana.example.test/d/x","panelURL":"https://grafana.example.test/d/x?viewPanel=2","values":{}}]}"#
        let alert = try #require(try GrafanaWebhook.decode(Array(body.utf8), receivedAt: now).alerts.first)
        #expect(alert.annotations == [
            "dashboardURL": "https://wiki.example.test/a", "panelURL": "https://grafana.example.test/d/x?viewPanel=2",
        ])
        #expect(alert.startsAt == now, "a missing startsAt is the time received, as for Alertmanager")
        #expect(alert.fingerprint == Fingerprint(labels: ["alertname": "A"]), "a missing fingerprint is computed")
    }

    @Test("Alertmanager's reader still ignores Grafana's fields, and each source refuses the other's version")
    func dialectsStayApart() throws {
        let grafana = String(decoding: try Self.fixture("firing"), as: UTF8.self)
        let asVersion4 = grafana.replacingOccurrences(of: #""version": "1""#, with: #""version": "4""#)
        let batch = try AlertmanagerWebhook.decode(Array(asVersion4.utf8), receivedAt: now)
        #expect(batch.source == "alertmanager")
        #expect(batch.alerts[0].annotations.keys.sorted() == ["description", "runbook_url", "summary"])
        #expect(throws: IngestValidationError(field: "version", problem: #"unsupported version "1"; Tocsin accepts "4""#)) {
            try AlertmanagerWebhook.decode(try Self.fixture("firing"), receivedAt: now)
        }
        #expect(throws: IngestValidationError(field: "version", problem: #"unsupported version "4"; Tocsin accepts "1""#)) {
            try GrafanaWebhook.decode(Array(try Fixtures.data("webhook-01-firing-critical-single")), receivedAt: now)
        }
    }

    /// A Grafana body of one alert: `top` adds or replaces top-level fields, `alert` the alert's.
    static func body(top: String = "", alert: String = "") -> String {
        let alertFields = #""status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-27T09:51:03+02:00","fingerprint":"3f9d1c2ab47e0a65""#
        let topFields = #""version":"1","status":"firing","receiver":"r","groupKey":"k","orgId":1"#
        // A repeated key keeps its first value, so the fields given come first and win.
        let topPart = top.isEmpty ? topFields : top + "," + topFields
        let alertPart = alert.isEmpty ? alertFields : alert + "," + alertFields
        return "{" + topPart + #","alerts":[{"# + alertPart + "}]}"
    }

    static let invalid: [(body: String, field: String, fragment: String)] = [
        ("not json", "", "not valid JSON"),
        (#"{"status":"firing","receiver":"r","groupKey":"k","alerts":[]}"#, "version", "is required"),
        (body(top: #""version":"4""#), "version", #"unsupported version "4"; Tocsin accepts "1""#),
        (#"{"version":"1","status":"firing","receiver":"r","groupKey":"k"}"#, "alerts", "is required"),
        (#"{"version":"1","status":"firing","groupKey":"k","alerts":[]}"#, "receiver", "is required"),
        (#"{"version":"1","status":"firing","receiver":"r","alerts":[]}"#, "groupKey", "is required"),
        (body(top: #""status":"alerting""#), "status", #"must be "firing" or "resolved", got "alerting""#),
        (body(alert: #""status":"pending""#), "alerts[0].status", #""firing" or "resolved""#),
        (body(alert: #""startsAt":"2026-11-27 09:51""#), "alerts[0].startsAt", "RFC 3339"),
        (body(alert: #""startsAt":"2026-11-27T09:51:03+2:00""#), "alerts[0].startsAt", "RFC 3339"),
        (body(alert: #""endsAt":"2026-11-27T08:00:00+01:00""#), "alerts[0].endsAt", "before startsAt"),
        (body(alert: #""values":[44.2,1]"#), "alerts[0].values", "expected an object of numbers"),
        (body(alert: #""values":"B=44.2""#), "alerts[0].values", "expected an object of numbers"),
        (body(alert: #""values":{"B":"44.2"}"#), "alerts[0].values.B", "expected a number"),
        (body(alert: #""values":{"B":null}"#), "alerts[0].values.B", "expected a number, got null"),
        (body(alert: "\"values\":{" + (0...128).map { "\"R\($0)\":1" }.joined(separator: ",") + "}"),
         "alerts[0].values", "more than 128 values"),
        (body(alert: #""dashboardURL":5"#), "alerts[0].dashboardURL", "expected a string"),
        (body(alert: #""panelURL":{}"#), "alerts[0].panelURL", "expected a string"),
        (body(alert: #""silenceURL":true"#), "alerts[0].silenceURL", "expected a string"),
        (body(alert: #""fingerprint":"c6eadffa""#), "alerts[0].fingerprint", "16 hexadecimal digits"),
        (body(alert: #""labels":{"grafana-folder":"Infra"}"#), "alerts[0].labels.grafana-folder", "invalid label name"),
        (body(alert: #""annotations":{"summary":1}"#), "alerts[0].annotations.summary", "expected a string"),
        (body(top: #""groupLabels":{"grafana_folder":null}"#), "groupLabels.grafana_folder", "got null"),
        (#"{"version":"1","status":"firing","receiver":"r","groupKey":"k","alerts":[1]}"#, "alerts[0]", "expected an object"),
    ]

    @Test("bad bodies are rejected naming the field and the problem", arguments: invalid)
    func rejects(_ testCase: (body: String, field: String, fragment: String)) {
        #expect {
            try GrafanaWebhook.decode(Array(testCase.body.utf8), receivedAt: now)
        } throws: { error in
            guard let error = error as? IngestValidationError else { return false }
            return error.field == testCase.field && error.description.contains(testCase.fragment)
        }
    }

    @Test("the table's template is itself a valid body")
    func templateIsValid() throws {
        let batch = try GrafanaWebhook.decode(Array(Self.body().utf8), receivedAt: now)
        #expect(batch.alerts.count == 1 && batch.alerts[0].fingerprint.description == "3f9d1c2ab47e0a65")
    }
}
