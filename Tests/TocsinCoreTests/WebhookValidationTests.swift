import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

@Suite("Alertmanager webhook validation")
struct WebhookValidationTests {
    let now = Date(timeIntervalSince1970: 1_795_800_000)

    @Test("every captured webhook decodes", arguments: Fixtures.webhookNames)
    func decodesCaptures(name: String) throws {
        let batch = try Fixtures.batch(name)
        #expect(!batch.alerts.isEmpty)
        #expect(!batch.groupKey.isEmpty)
    }

    @Test("firing alerts carry no end time; resolved ones keep theirs; fractions survive")
    func normalisesTimes() throws {
        let batch = try Fixtures.batch("webhook-06-firing-group-partially-resolved")
        #expect(batch.status == .firing)
        let resolved = try #require(batch.alerts.first { $0.status == .resolved })
        let firing = try #require(batch.alerts.first { $0.status == .firing })
        #expect(firing.endsAt == nil)
        #expect(resolved.endsAt == RFC3339.parse("2026-11-26T23:32:49.421Z"))
        #expect(resolved.startsAt == RFC3339.parse("2026-11-26T23:32:42.33Z"))
    }

    @Test("truncatedAlerts and group labels are kept")
    func keepsTruncation() throws {
        let batch = try Fixtures.batch("webhook-10-firing-truncated-max_alerts-2")
        #expect(batch.truncatedAlerts == 3)
        #expect(batch.alerts.count == 2)
        #expect(batch.receiver == "storage-max2")
    }

    @Test("a missing fingerprint is computed from the labels")
    func computesMissingFingerprint() throws {
        let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"{}:{}","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","cluster":"eu1","instance":"db1:9100","job":"node","page":"true","severity":"critical","team":"dba"},"startsAt":"2026-11-26T23:32:42Z"}]}"#
        let batch = try AlertmanagerWebhook.decode(Array(body.utf8), receivedAt: now)
        #expect(batch.alerts[0].fingerprint.description == "ed331a96675122bf")
    }

    @Test("unknown fields are ignored")
    func ignoresUnknownFields() throws {
        let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","notification_reason":"first notification","routeLabels":{"a":"b"},"alerts":[{"status":"firing","labels":{"a":"b"},"extra":1}]}"#
        let batch = try AlertmanagerWebhook.decode(Array(body.utf8), receivedAt: now)
        #expect(batch.alerts.count == 1)
        #expect(batch.alerts[0].startsAt == now)
    }

    static let invalid: [(body: String, field: String, fragment: String)] = [
        ("hello", "", "not valid JSON"),
        ("[]", "", "expected"),
        (#"{"status":"firing","receiver":"r","groupKey":"k","alerts":[]}"#, "version", "required"),
        (#"{"version":"3","status":"firing","receiver":"r","groupKey":"k","alerts":[]}"#, "version", "unsupported version"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k"}"#, "alerts", "required"),
        (#"{"version":"4","receiver":"r","groupKey":"k","alerts":[]}"#, "status", "required"),
        (#"{"version":"4","status":"burning","receiver":"r","groupKey":"k","alerts":[]}"#, "status", "\"firing\" or \"resolved\""),
        (#"{"version":"4","status":"firing","groupKey":"k","alerts":[]}"#, "receiver", "required"),
        (#"{"version":"4","status":"firing","receiver":"r","alerts":[]}"#, "groupKey", "required"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"labels":{"a":"b"}}]}"#, "alerts[0].status", "required"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing"}]}"#, "alerts[0].labels", "required"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{}}]}"#, "alerts[0].labels", "at least one label"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"my-label":"v"}}]}"#, "alerts[0].labels.my-label", "invalid label name"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"a":1}}]}"#, "alerts[0].labels.a", "expected a string"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"yesterday"}]}"#, "alerts[0].startsAt", "RFC 3339"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"resolved","labels":{"a":"b"},"startsAt":"2030-01-01T00:00:00Z","endsAt":"2029-01-01T00:00:00Z"}]}"#, "alerts[0].endsAt", "before startsAt"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"a":"b"},"fingerprint":"xyz"}]}"#, "alerts[0].fingerprint", "16 hexadecimal"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","truncatedAlerts":-1,"alerts":[]}"#, "truncatedAlerts", "negative"),
        // The group-level maps follow the same rules as an alert's.
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","groupLabels":{"bad-name":"x"},"alerts":[]}"#, "groupLabels.bad-name", "invalid label name"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","commonLabels":{"a":"x\u0000y"},"alerts":[]}"#, "commonLabels.a", "NUL"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","commonLabels":{"a":"\#(String(repeating: "v", count: 4097))"},"alerts":[]}"#, "commonLabels.a", "longer than 4096 bytes"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","commonAnnotations":{"summary":"\#(String(repeating: "s", count: 65537))"},"alerts":[]}"#, "commonAnnotations.summary", "longer than 65536 bytes"),
        (#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","commonAnnotations":{"summary":"a\u0000b"},"alerts":[]}"#, "commonAnnotations.summary", "NUL"),
        ("{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"k\",\"groupLabels\":{" + (0...128).map { "\"l\($0)\":\"v\"" }.joined(separator: ",") + "},\"alerts\":[]}", "groupLabels", "at most 128"),
        ("{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"groupKey\":\"k\",\"commonAnnotations\":{" + (0...128).map { "\"a\($0)\":\"v\"" }.joined(separator: ",") + "},\"alerts\":[]}", "commonAnnotations", "at most 128"),
    ]

    @Test("an alert storm is kept, not bounced: past the most an incident keeps, alerts are counted as truncated, never built")
    func stormIsTruncated() throws {
        func body(_ count: Int, truncated: Int = 0) -> [UInt8] {
            let alerts = (0..<count).map { #"{"status":"firing","labels":{"alertname":"NodeDown","instance":"n\#($0)"}}"# }
            return Array(#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","truncatedAlerts":\#(truncated),"alerts":[\#(alerts.joined(separator: ","))]}"#.utf8)
        }
        let storm = try AlertmanagerWebhook.decode(body(15_000), receivedAt: now)
        #expect(storm.alerts.count == AlertmanagerWebhook.defaultMaxAlerts)
        #expect(storm.truncatedAlerts == 5_000)
        #expect(storm.alerts.last?.labels["instance"] == "n9999", "the first ones are kept")
        let small = try AlertmanagerWebhook.decode(body(10, truncated: 2), receivedAt: now, maxAlerts: 3)
        #expect(small.alerts.count == 3 && small.truncatedAlerts == 2 + 7, "the source's own truncation adds up")
        // Foundation's decoder and the reader agree on what is kept.
        let reference = try JSONDecoder().decode(AlertmanagerWebhook.self, from: Data(body(10, truncated: 2))).validated(receivedAt: now, maxAlerts: 3)
        #expect(reference == small)
    }

    @Test("in a storm the firing and most severe alerts are the ones kept: a critical one past the first 10,000 still pages")
    func stormKeepsWhatMatters() throws {
        func alert(_ index: Int, status: String, severity: String) -> String {
            #"{"status":"\#(status)","labels":{"alertname":"NodeDown","instance":"n\#(index)","severity":"\#(severity)"}}"#
        }
        func decode(_ alerts: [String]) throws -> AlertBatch {
            try AlertmanagerWebhook.decode(
                Array(#"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[\#(alerts.joined(separator: ","))]}"#.utf8),
                receivedAt: now)
        }
        // 15,000 firing warnings with one critical alert at 12,000.
        var warnings = (0..<15_000).map { alert($0, status: "firing", severity: "warning") }
        warnings[12_000] = alert(12_000, status: "firing", severity: "critical")
        let storm = try decode(warnings)
        #expect(storm.alerts.count == 10_000 && storm.truncatedAlerts == 5_000)
        #expect(storm.alerts.contains { $0.labels["severity"] == "critical" }, "the critical alert is kept, so it is routed")
        #expect(storm.alerts.first?.labels["instance"] == "n0", "kept alerts stay in the order they came")
        // The first 10,000 resolved, 2,000 more still firing: the group is kept as firing.
        let mixed = try decode((0..<10_000).map { alert($0, status: "resolved", severity: "warning") }
            + (10_000..<12_000).map { alert($0, status: "firing", severity: "warning") })
        #expect(mixed.alerts.filter { $0.status == .firing }.count == 2_000)
        #expect(mixed.alerts.count == 10_000 && mixed.truncatedAlerts == 2_000)
    }

    @Test("labels are counted as they are read: an alert with too many fails at once, naming it")
    func labelsCountedWhileReading() {
        let labels = (0...LabelRules.maxLabelsPerAlert).map { #""l\#($0)":"v""# }.joined(separator: ",")
        let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{\#(labels)}}]}"#
        #expect {
            try AlertmanagerWebhook.decode(Array(body.utf8), receivedAt: now)
        } throws: { error in
            (error as? IngestValidationError)?.field == "alerts[0].labels" && "\(error)".contains("more than 128 labels")
        }
    }

    @Test("a long shared summary becomes a title cut on a character boundary with …")
    func titleCap() throws {
        let long = String(repeating: "é", count: 150) + String(repeating: "🔥", count: 150)
        let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","commonAnnotations":{"summary":"\#(long)"},"alerts":[{"status":"firing","labels":{"a":"b"}}]}"#
        let batch = try AlertmanagerWebhook.decode(Array(body.utf8), receivedAt: now)
        let title = IncidentTitle.make(for: batch)
        #expect(title.count == IncidentTitle.maxCharacters)
        #expect(title.hasSuffix("🔥…") && title.hasPrefix("éé"))
        #expect(IncidentTitle.make(for: AlertBatch(receiver: "r", groupKey: "k", status: .firing, commonAnnotations: ["summary": "short"], alerts: [])) == "short")
    }

    @Test("bad input names the field and the problem", arguments: invalid)
    func rejects(_ testCase: (body: String, field: String, fragment: String)) {
        #expect {
            try AlertmanagerWebhook.decode(Array(testCase.body.utf8), receivedAt: now)
        } throws: { error in
            guard let error = error as? IngestValidationError else { return false }
            return error.field == testCase.field && error.description.contains(testCase.fragment)
        }
    }

    @Test("a duplicate fingerprint inside one payload keeps the last occurrence")
    func deduplicatesWithinPayload() throws {
        let body = #"{"version":"4","status":"resolved","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"a":"b"}},{"status":"resolved","labels":{"a":"b"},"endsAt":"2030-01-01T00:00:00Z"}]}"#
        let batch = try AlertmanagerWebhook.decode(Array(body.utf8), receivedAt: now)
        #expect(batch.alerts.count == 1)
        #expect(batch.alerts[0].status == .resolved)
    }

    // Found by the fuzzer (fuzz/crashes/): each is a body that once got an unstable or wrong answer.

    @Test("several invalid labels: the first in sorted order is named, every time")
    func stableProblem() throws {
        let body = Array(#"{"version":"4","receiver":"r","groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":{"a-1":"","b-2":"","c-3":"","d-4":"","e-5":"","f-6":"","g-7":"","h-8":""}}]}"#.utf8)
        for _ in 0..<50 {
            #expect(throws: IngestValidationError.self) { try AlertmanagerWebhook.decode(body, receivedAt: Date()) }
            do {
                _ = try AlertmanagerWebhook.decode(body, receivedAt: Date())
            } catch {
                #expect(error.field == "alerts[0].labels.a-1")
            }
        }
    }

    @Test("a resolved alert without an end never ends before it started (sender clock ahead)")
    func resolvedEndsAfterStart() throws {
        let body = Array(#"{"version":"4","receiver":"r","groupKey":"g","status":"resolved","alerts":[{"status":"resolved","labels":{"a":"b"},"startsAt":"2027-01-01T00:00:00Z"}]}"#.utf8)
        let received = Date(timeIntervalSince1970: 1_795_735_980)
        let alert = try #require(try AlertmanagerWebhook.decode(body, receivedAt: received).alerts.first)
        #expect(alert.endsAt == alert.startsAt)
    }

    @Test("RFC 3339: years outside 0001-9999 are refused; printing keeps the millisecond that was read")
    func rfc3339Edges() {
        #expect(RFC3339.parse("9999-12-31T23:59:59-01:00") == nil)
        #expect(RFC3339.parse("9999-12-31T23:59:59.9995Z") == nil)
        #expect(RFC3339.parse("9999-12-31T23:59:58.9999Z") == nil)
        #expect(RFC3339.parse("9999-12-31T23:59:58.998Z") != nil)
        #expect(RFC3339.parse("0000-01-01T00:00:00+01:00") == nil)
        #expect(RFC3339.parse("0001-01-01T00:00:00Z") != nil, "Go's zero time")
    }

    @Test("times read back as they were written", arguments: ["1987-04-23T10:29:44.004Z", "1445-11-26T23:32:42.406Z", "1970-01-01T00:00:00.001Z"])
    func rfc3339RoundTrip(_ text: String) {
        #expect(RFC3339.parse(text).map { RFC3339.format($0) } == text)
    }

    @Test("durations: absurdly long ones are refused, and printing never traps")
    func durationEdges() {
        #expect(PolicyDuration.parse("10000000000000000000s") == nil)
        #expect(PolicyDuration.parse("100w") == TimeInterval(60_480_000))
        #expect(PolicyDuration.format(.infinity) == "forever")
        #expect(PolicyDuration.format(1e300) == "forever")
    }
}
