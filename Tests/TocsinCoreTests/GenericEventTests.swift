import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

@Suite("Generic JSON events")
struct GenericEventTests {
    let now = Date(timeIntervalSince1970: 1_795_800_000)

    /// The bytes of a sample in Tests/Fixtures/generic (name without `.json`).
    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/generic/\(name).json")))
    }

    static let integrationLabels = ["team": "ops", "env": "prod"]

    @Test("the firing sample becomes one firing alert named by its key, in the incident of its group")
    func firingSample() throws {
        let batch = try GenericEvent.decode(
            Self.fixture("firing"), receivedAt: now, integration: "backup-scripts", integrationLabels: Self.integrationLabels)
        #expect(batch.source == "generic")
        #expect(batch.receiver == "backup-scripts")
        #expect(batch.groupKey == "backups")
        #expect(batch.status == .firing)
        #expect(batch.truncatedAlerts == 0)
        #expect(batch.alerts.count == 1)
        let alert = try #require(batch.alerts.first)
        #expect(alert.fingerprint == Fingerprint(source: "generic", key: "backup-nightly"))
        #expect(alert.status == .firing)
        // The integration's team wins over the event's; the severity field over labels.severity.
        #expect(alert.labels == [
            "alertname": "backup-nightly", "env": "prod", "host": "db1", "severity": "critical", "team": "ops",
        ])
        #expect(alert.annotations == [
            "summary": "Nightly backup of db1 failed", "runbook_url": "https://runbooks.example.test/backup-nightly",
        ])
        #expect(alert.startsAt == now && alert.endsAt == nil)
        #expect(batch.commonLabels == alert.labels && batch.commonAnnotations == alert.annotations)
        #expect(IncidentTitle.make(for: batch) == "Nightly backup of db1 failed")
    }

    @Test("the resolved sample resolves the same alert in the same incident, ending when received")
    func resolvedSample() throws {
        let firing = try GenericEvent.decode(
            Self.fixture("firing"), receivedAt: now, integration: "backup-scripts", integrationLabels: Self.integrationLabels)
        let later = now.addingTimeInterval(600)
        let batch = try GenericEvent.decode(
            Self.fixture("resolved"), receivedAt: later, integration: "backup-scripts", integrationLabels: Self.integrationLabels)
        #expect(batch.status == .resolved)
        #expect(batch.receiver == firing.receiver && batch.groupKey == firing.groupKey)
        let alert = try #require(batch.alerts.first)
        #expect(alert.fingerprint == firing.alerts[0].fingerprint, "the key, not the labels, identifies the alert")
        #expect(alert.status == .resolved)
        #expect(alert.startsAt == later && alert.endsAt == later)
        #expect(alert.labels == ["alertname": "backup-nightly", "team": "ops", "env": "prod"])
        #expect(alert.annotations.isEmpty)
    }

    /// A valid body and what its one alert must look like.
    struct Valid: Sendable, CustomStringConvertible {
        var description: String
        var body: String
        var integrationLabels: [String: String] = [:]
        var key: String
        var status: AlertStatus = .firing
        var groupKey: String
        var labels: [String: String]
        var annotations: [String: String] = [:]
    }

    static let valid: [Valid] = [
        Valid(
            description: "only a key: firing, grouped by its key, named by it",
            body: #"{"key":"disk-check"}"#, key: "disk-check", groupKey: "disk-check",
            labels: ["alertname": "disk-check"]),
        Valid(
            description: "resolved",
            body: #"{"key":"disk-check","status":"resolved"}"#, key: "disk-check", status: .resolved,
            groupKey: "disk-check", labels: ["alertname": "disk-check"]),
        Valid(
            description: "an alertname label of the event is kept",
            body: #"{"key":"disk-check","labels":{"alertname":"DiskFull","instance":"db1"}}"#, key: "disk-check",
            groupKey: "disk-check", labels: ["alertname": "DiskFull", "instance": "db1"]),
        Valid(
            description: "severity in any case is kept lower-cased and wins over labels.severity",
            body: #"{"key":"k","severity":"CRITICAL","labels":{"severity":"info"}}"#, key: "k", groupKey: "k",
            labels: ["alertname": "k", "severity": "critical"]),
        Valid(
            description: "the integration's labels win over the event's, severity included",
            body: #"{"key":"k","severity":"critical","labels":{"team":"dba","host":"db1"}}"#,
            integrationLabels: ["team": "ops", "severity": "warning"], key: "k",
            groupKey: "k", labels: ["alertname": "k", "team": "ops", "host": "db1", "severity": "warning"]),
        Valid(
            description: "error pages as critical",
            body: #"{"key":"k","severity":"Error"}"#, key: "k", groupKey: "k", labels: ["alertname": "k", "severity": "critical"]),
        Valid(
            description: "an integration's alertname is kept too",
            body: #"{"key":"k"}"#, integrationLabels: ["alertname": "ScriptFailed"], key: "k", groupKey: "k",
            labels: ["alertname": "ScriptFailed"]),
        Valid(
            description: "summary wins over annotations.summary",
            body: #"{"key":"k","summary":"new","annotations":{"summary":"old","runbook_url":"https://r.example.test"}}"#,
            key: "k", groupKey: "k", labels: ["alertname": "k"],
            annotations: ["summary": "new", "runbook_url": "https://r.example.test"]),
        Valid(
            description: "an empty summary is ignored",
            body: #"{"key":"k","summary":"","annotations":{"summary":"kept"}}"#, key: "k", groupKey: "k",
            labels: ["alertname": "k"], annotations: ["summary": "kept"]),
        Valid(
            description: "null reads as absent",
            body: #"{"key":"k","status":null,"summary":null,"severity":null,"labels":null,"annotations":null,"group":null}"#,
            key: "k", groupKey: "k", labels: ["alertname": "k"]),
        Valid(
            description: "group is the group key",
            body: #"{"group":"backups","key":"backup-weekly"}"#, key: "backup-weekly", groupKey: "backups",
            labels: ["alertname": "backup-weekly"]),
        Valid(
            description: "a key of exactly 255 bytes, escapes and non-ASCII",
            body: #"{"key":"\#(String(repeating: "é", count: 127))x","summary":"line\nbreak \u00e9"}"#,
            key: String(repeating: "é", count: 127) + "x", groupKey: String(repeating: "é", count: 127) + "x",
            labels: ["alertname": String(repeating: "é", count: 127) + "x"], annotations: ["summary": "line\nbreak é"]),
    ]

    @Test("valid events become the expected alert", arguments: valid)
    func accepts(_ testCase: Valid) throws {
        let batch = try GenericEvent.decode(
            Array(testCase.body.utf8), receivedAt: now, integration: "scripts", integrationLabels: testCase.integrationLabels)
        #expect(batch.source == "generic" && batch.receiver == "scripts")
        #expect(batch.status == testCase.status)
        #expect(batch.groupKey == testCase.groupKey)
        let alert = try #require(batch.alerts.first)
        #expect(batch.alerts.count == 1)
        #expect(alert.fingerprint == Fingerprint(source: "generic", key: testCase.key))
        #expect(alert.status == testCase.status)
        #expect(alert.labels == testCase.labels)
        #expect(alert.annotations == testCase.annotations)
        #expect(alert.startsAt == now)
        #expect(alert.endsAt == (testCase.status == .resolved ? now : nil))
    }

    static let invalid: [(body: String, field: String, fragment: String)] = [
        ("", "", "not valid JSON"),
        ("backup failed", "", "not valid JSON"),
        (#"["backup-nightly"]"#, "", "expected an object"),
        (#"{"key":"k"} {"key":"j"}"#, "", "after the JSON value"),
        ("{}", "key", "is required"),
        (#"{"key":null}"#, "key", "is required"),
        (#"{"key":""}"#, "key", "must not be empty"),
        (#"{"key":5}"#, "key", "expected a string"),
        (#"{"key":"\#(String(repeating: "k", count: 256))"}"#, "key", "longer than 255 bytes"),
        (#"{"key":"a\u0000b"}"#, "key", "NUL"),
        (#"{"key":"k","status":"ok"}"#, "status", #"must be "firing" or "resolved", got "ok""#),
        (#"{"key":"k","status":1}"#, "status", "expected a string"),
        (#"{"key":"k","severity":"crtical"}"#, "severity", "must be one of critical, error, warning, info"),
        (#"{"key":"k","sevrity":"critical"}"#, "sevrity", #"unknown field "sevrity"; expected one of key, status"#),
        (#"{"Key":"k"}"#, "Key", "unknown field"),
        (#"{"key":"k","key":"j"}"#, "key", "is given more than once"),
        (#"{"key":"k","labels":{"my-label":"v"}}"#, "labels.my-label", "invalid label name"),
        (#"{"key":"k","labels":{"a":1}}"#, "labels.a", "expected a string"),
        (#"{"key":"k","labels":{"a":null}}"#, "labels.a", "got null"),
        (#"{"key":"k","labels":["team=ops"]}"#, "labels", "expected an object of string values"),
        (#"{"key":"k","labels":{"a":"\#(String(repeating: "v", count: 4097))"}}"#, "labels.a", "longer than 4096 bytes"),
        ("{\"key\":\"k\",\"labels\":{" + (0...128).map { "\"l\($0)\":\"v\"" }.joined(separator: ",") + "}}",
         "labels", "more than 128 labels"),
        (#"{"key":"k","annotations":"runbook"}"#, "annotations", "expected an object of string values"),
        (#"{"key":"k","annotations":{"":"v"}}"#, "annotations.", "invalid annotation name"),
        (#"{"key":"k","annotations":{"note":"a\u0000b"}}"#, "annotations.note", "NUL"),
        (#"{"key":"k","summary":5}"#, "summary", "expected a string"),
        (#"{"key":"k","summary":"\#(String(repeating: "s", count: 65537))"}"#, "summary", "longer than 65536 bytes"),
        (#"{"key":"k","summary":"a\u0000b"}"#, "summary", "NUL"),
        (#"{"key":"k","group":""}"#, "group", "must not be empty"),
        (#"{"key":"k","group":"\#(String(repeating: "g", count: 256))"}"#, "group", "longer than 255 bytes"),
        (#"{"key":"k","group":["a"]}"#, "group", "expected a string"),
    ]

    @Test("bad events are rejected naming the field and the problem", arguments: invalid)
    func rejects(_ testCase: (body: String, field: String, fragment: String)) {
        #expect {
            try GenericEvent.decode(Array(testCase.body.utf8), receivedAt: now, integration: "scripts")
        } throws: { error in
            guard let error = error as? IngestValidationError else { return false }
            return error.field == testCase.field && error.description.contains(testCase.fragment)
        }
    }

    @Test("the event's and the integration's labels together obey the label limit")
    func mergedLabelLimit() {
        let integration = Dictionary(uniqueKeysWithValues: (0..<100).map { ("i\($0)", "v") })
        let labels = (0..<30).map { "\"e\($0)\":\"v\"" }.joined(separator: ",")
        let body = Array("{\"key\":\"k\",\"labels\":{\(labels)}}".utf8)
        #expect {
            try GenericEvent.decode(body, receivedAt: now, integration: "scripts", integrationLabels: integration)
        } throws: { error in
            (error as? IngestValidationError)?.field == "labels" && "\(error)".contains("at most 128")
        }
    }
}
