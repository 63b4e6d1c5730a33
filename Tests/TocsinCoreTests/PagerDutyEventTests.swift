import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

@Suite("PagerDuty Events API v2")
struct PagerDutyEventTests {
    let now = Date(timeIntervalSince1970: 1_795_800_000)
    static let routingKey = "e93facc04764012d7bfb002500d5d1a6"
    /// PagerDuty's documented examples (see Tests/Fixtures/pagerduty/README.md).
    static let fixtures = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/pagerduty")
    static let validPayload = #""summary":"Disk full on db1","source":"db1.example.com","severity":"critical""#

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name + ".json")))
    }

    /// A trigger body with `payload` (the members of the payload object) and `extra` top-level members.
    static func trigger(payload: String = validPayload, extra: String = "") -> String {
        #"{"routing_key":"\#(routingKey)","event_action":"trigger",\#(extra)"payload":{\#(payload)}}"#
    }

    func decode(_ body: String) throws(PagerDutyEvent.Invalid) -> PagerDutyEvent {
        try PagerDutyEvent.decode(Array(body.utf8), receivedAt: now)
    }

    func decodeFixture(_ name: String) throws -> PagerDutyEvent {
        try PagerDutyEvent.decode(try Self.fixture(name), receivedAt: now)
    }

    // MARK: - Valid bodies

    @Test("PagerDuty's documented trigger: every field is read")
    func readsTrigger() throws {
        let event = try decodeFixture("trigger")
        let expected = PagerDutyEvent(
            action: .trigger, routingKey: Self.routingKey, dedupKey: "samplekeyhere",
            payload: PagerDutyEvent.Payload(
                summary: "Example alert on host1.example.com",
                source: "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003",
                severity: .info, timestamp: try #require(RFC3339.parse("2015-07-17T08:42:58.315Z")),
                component: "postgres", group: "prod-datapipe", eventClass: "deploy",
                customDetails: #"{"ping time":"1500ms","load avg":0.75}"#),
            links: [PagerDutyEvent.Link(href: "https://example.com/", text: "Link text")],
            images: [
                PagerDutyEvent.Image(
                    src: "https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png",
                    href: "https://example.com/", alt: "Example text")
            ],
            client: "Sample Monitoring Service", clientURL: "https://monitoring.example.com")
        #expect(event == expected)
    }

    @Test("a trigger is one firing alert: receiver the integration, group key and fingerprint from the dedup key")
    func triggerBatch() throws {
        let event = try decodeFixture("trigger")
        let batch = try #require(
            event.batch(integration: "datapipe", integrationLabels: ["team": "data"], dedupKey: "samplekeyhere", receivedAt: now))
        let labels = [
            "alertname": "PagerDutyEvent", "severity": "info", "pagerduty_severity": "info",
            "source": "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003",
            "component": "postgres", "group": "prod-datapipe", "class": "deploy", "team": "data",
        ]
        let annotations = [
            "summary": "Example alert on host1.example.com",
            "custom_details": #"{"ping time":"1500ms","load avg":0.75}"#,
            "links": "Link text <https://example.com/>",
            "images": "Example text <https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png> (links to https://example.com/)",
            "client": "Sample Monitoring Service",
        ]
        let alert = Alert(
            fingerprint: Fingerprint(source: "pagerduty", key: "samplekeyhere"), status: .firing, labels: labels,
            annotations: annotations, startsAt: try #require(RFC3339.parse("2015-07-17T08:42:58.315Z")))
        let expected = AlertBatch(
            source: "pagerduty", receiver: "datapipe", groupKey: "samplekeyhere", status: .firing, commonLabels: labels,
            commonAnnotations: annotations, externalURL: "https://monitoring.example.com", alerts: [alert])
        #expect(batch == expected)
        #expect(IncidentTitle.make(for: batch) == "Example alert on host1.example.com")
    }

    @Test("the integration's labels win over the event's")
    func integrationLabelsWin() throws {
        let event = try decode(Self.trigger())
        let labels = event.labels(integrationLabels: ["severity": "warning", "alertname": "BatchJobs"])
        #expect(labels["severity"] == "warning" && labels["alertname"] == "BatchJobs")
        #expect(labels["pagerduty_severity"] == "critical")
    }

    static let severities: [(sent: String, label: String)] = [
        ("critical", "critical"), ("error", "critical"), ("warning", "warning"), ("info", "info"),
    ]

    @Test("severity: error pages like critical (high urgency in PagerDuty); the value sent is kept", arguments: severities)
    func severityMapping(_ testCase: (sent: String, label: String)) throws {
        let event = try decode(Self.trigger(payload: #""summary":"s","source":"h","severity":"\#(testCase.sent)""#))
        let labels = event.labels(integrationLabels: [:])
        #expect(labels["severity"] == testCase.label)
        #expect(labels["pagerduty_severity"] == testCase.sent)
    }

    @Test("a resolve without payload resolves the trigger's alert: same fingerprint, ended when received")
    func resolveBatch() throws {
        let trigger = try #require(
            try decodeFixture("trigger").batch(
                integration: "datapipe", integrationLabels: ["team": "data"], dedupKey: "samplekeyhere", receivedAt: now))
        let event = try decodeFixture("resolve")
        #expect(event.action == .resolve && event.dedupKey == "samplekeyhere" && event.payload == nil)
        let batch = try #require(
            event.batch(integration: "datapipe", integrationLabels: ["team": "data"], dedupKey: "samplekeyhere", receivedAt: now))
        #expect(batch.source == "pagerduty" && batch.receiver == "datapipe" && batch.groupKey == "samplekeyhere")
        #expect(batch.status == .resolved && batch.alerts.count == 1)
        let alert = try #require(batch.alerts.first)
        #expect(alert.fingerprint == trigger.alerts[0].fingerprint)
        #expect(alert.status == .resolved && alert.startsAt == now && alert.endsAt == now)
        #expect(alert.labels == ["team": "data", "alertname": "PagerDutyEvent"])
        #expect(alert.annotations.isEmpty)

        // Given the stored alert, the resolve keeps what the trigger said and when it started.
        let stored = trigger.alerts[0]
        let kept = try #require(
            event.batch(
                integration: "datapipe", integrationLabels: ["team": "data"], dedupKey: "samplekeyhere", receivedAt: now,
                resolving: stored)?.alerts.first)
        #expect(kept.labels == stored.labels && kept.annotations == stored.annotations)
        #expect(kept.startsAt == stored.startsAt && kept.endsAt == now && kept.status == .resolved)
    }

    @Test("a resolve with a complete payload (as Alertmanager sends it) keeps the payload's labels")
    func resolveWithPayload() throws {
        let body = #"{"routing_key":"\#(Self.routingKey)","event_action":"resolve","dedup_key":"d1","payload":{\#(Self.validPayload)}}"#
        let event = try decode(body)
        let alert = try #require(
            event.batch(integration: "am", integrationLabels: [:], dedupKey: "d1", receivedAt: now)?.alerts.first)
        #expect(alert.status == .resolved)
        #expect(alert.labels["severity"] == "critical" && alert.labels["source"] == "db1.example.com")
        #expect(alert.annotations["summary"] == "Disk full on db1")
    }

    @Test("on acknowledge and resolve an incomplete payload is ignored, as PagerDuty does; a malformed one is not")
    func payloadIgnoredUnlessTrigger() throws {
        for action in ["acknowledge", "resolve"] {
            let body = #"{"routing_key":"\#(Self.routingKey)","event_action":"\#(action)","dedup_key":"d1","payload":{"summary":""}}"#
            let event = try decode(body)
            #expect(event.payload == nil)
        }
        let malformed = #"{"routing_key":"\#(Self.routingKey)","event_action":"resolve","dedup_key":"d1","payload":{"summary":5}}"#
        do {
            _ = try decode(malformed)
            Issue.record("a payload field of the wrong kind was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["payload.summary"])
        }
    }

    @Test("an acknowledge has no batch: the server acknowledges the incident of its dedup key")
    func acknowledge() throws {
        let event = try decodeFixture("acknowledge")
        #expect(event.action == .acknowledge && event.dedupKey == "samplekeyhere" && event.routingKey == Self.routingKey)
        #expect(event.batch(integration: "datapipe", integrationLabels: [:], dedupKey: "samplekeyhere", receivedAt: now) == nil)
    }

    @Test("a trigger without dedup key (or with a blank one) leaves it to the server, whose key is used as given")
    func triggerWithoutDedupKey() throws {
        #expect(try decode(Self.trigger()).dedupKey == nil)
        let blank = try decode(Self.trigger(extra: #""dedup_key":"  ","#))
        #expect(blank.dedupKey == nil)
        let generated = "0b5a3d3e-9b1c-4c55-8f0e-2b8f7c2c1e11"
        let batch = try #require(blank.batch(integration: "i", integrationLabels: [:], dedupKey: generated, receivedAt: now))
        #expect(batch.groupKey == generated)
        #expect(batch.alerts[0].fingerprint == Fingerprint(source: "pagerduty", key: generated))
        #expect(batch.alerts[0].startsAt == now, "no timestamp: the time received")
    }

    @Test("unknown keys are passed over; a repeated key counts once, first")
    func unknownAndRepeatedKeys() throws {
        let body = #"{"routing_key":"\#(Self.routingKey)","event_action":"resolve","dedup_key":"first","dedup_key":"second","#
            + #""extra":{"nested":[1,2.5,true,null]},"payload":{"unknown":false,\#(Self.validPayload)},"client":null}"#
        let event = try decode(body)
        #expect(event.dedupKey == "first")
        #expect(event.payload?.summary == "Disk full on db1")
        #expect(event.client == nil)
    }

    static let customDetails: [(json: String, kept: String?)] = [
        (#"{ "a" : [ 1 , 2.50 , true , null ] ,"b": "x y \" z" , "c": {"d": -1e+21} }"#, #"{"a":[1,2.50,true,null],"b":"x y \" z","c":{"d":-1e+21}}"#),
        (#""free text""#, #""free text""#),
        ("42", "42"),
        ("[ ]", "[]"),
        ("null", nil),
    ]

    @Test("custom_details: any JSON value, kept as compact JSON text", arguments: customDetails)
    func customDetailsAsJSON(_ testCase: (json: String, kept: String?)) throws {
        let event = try decode(Self.trigger(payload: Self.validPayload + #","custom_details":\#(testCase.json)"#))
        #expect(event.payload?.customDetails == testCase.kept)
        #expect(event.annotations["custom_details"] == testCase.kept)
    }

    @Test("a huge custom_details is kept whole on the event, cut in the annotation")
    func customDetailsCapped() throws {
        let log = String(repeating: "é", count: 40_000)
        let event = try decode(Self.trigger(payload: Self.validPayload + #","custom_details":{"log":"\#(log)"}"#))
        #expect(event.payload?.customDetails?.utf8.count == 80_010)
        let annotation = try #require(event.annotations["custom_details"])
        #expect(annotation.utf8.count <= LabelRules.maxAnnotationValueBytes)
        #expect(annotation.hasPrefix(#"{"log":"éé"#) && annotation.hasSuffix("é…"))
    }

    static let sameInstant = [
        "2015-07-17T08:42:58.315Z", "2015-07-17T08:42:58.315+0000", "2015-07-17T08:42:58.315+00:00",
        "2015-07-17T10:42:58.315+0200", "2015-07-17T10:42:58.315+02", "2015-07-17T03:42:58.315-05:00",
        "2015-07-17 08:42:58.315Z",
    ]

    @Test("timestamps: ISO 8601 offsets with or without a colon, fractional seconds", arguments: sameInstant)
    func acceptedTimestamps(_ text: String) throws {
        #expect(PagerDutyEvent.timestamp(from: text) == RFC3339.parse("2015-07-17T08:42:58.315Z"))
        let event = try decode(Self.trigger(payload: Self.validPayload + #","timestamp":"\#(text)""#))
        #expect(event.payload?.timestamp == RFC3339.parse("2015-07-17T08:42:58.315Z"))
    }

    @Test(
        "timestamps without a zone, in basic format or with a comma are refused",
        arguments: ["2015-07-17T08:42:58", "2015-07-17", "20150717T084258Z", "2015-07-17T08:42:58,315Z", "2015-07-17T08:42:58+5", "yesterday"])
    func refusedTimestamps(_ text: String) {
        #expect(PagerDutyEvent.timestamp(from: text) == nil)
    }

    // MARK: - Invalid bodies

    static let invalid: [(body: String, fields: [String], fragment: String)] = [
        (#"{"event_action":"trigger","payload":{\#(validPayload)}}"#, ["routing_key"], "'routing_key' is required"),
        (#"{"routing_key":"samplekeyhere","event_action":"trigger","payload":{\#(validPayload)}}"#,
         ["routing_key"], "'routing_key' must be 32 characters long (got 13)"),
        (#"{"routing_key":"\#(routingKey)","event_action":"page","payload":{\#(validPayload)}}"#,
         ["event_action"], #"must be one of trigger, acknowledge, resolve (got "page")"#),
        (#"{"routing_key":"\#(routingKey)","payload":{\#(validPayload)}}"#, ["event_action"], "'event_action' is required"),
        (#"{"routing_key":"\#(routingKey)","event_action":"acknowledge"}"#,
         ["dedup_key"], #"'dedup_key' is required when event_action is "acknowledge""#),
        (#"{"routing_key":"\#(routingKey)","event_action":"resolve","dedup_key":" "}"#, ["dedup_key"], "must not be blank"),
        (#"{"routing_key":"\#(routingKey)","event_action":"resolve","dedup_key":"\#(String(repeating: "k", count: 256))"}"#,
         ["dedup_key"], "must be at most 255 characters long (got 256)"),
        (#"{"routing_key":"\#(routingKey)","event_action":"trigger"}"#,
         ["payload"], #"'payload' is required when event_action is "trigger""#),
        (#"{"routing_key":"\#(routingKey)","event_action":"trigger","payload":"disk full"}"#, ["payload"], "'payload' must be an object"),
        (trigger(payload: #""summary":"\#(String(repeating: "s", count: 1025))","source":"h","severity":"info""#),
         ["payload.summary"], "must be at most 1024 characters long (got 1025)"),
        (trigger(payload: #""summary":"","source":"h","severity":"info""#), ["payload.summary"], "'payload.summary' must not be blank"),
        (trigger(payload: #""summary":5,"source":"h","severity":"info""#), ["payload.summary"], "'payload.summary' must be a string"),
        (trigger(payload: #""summary":"a\u0000b","source":"h","severity":"info""#), ["payload.summary"], "NUL"),
        (trigger(payload: #""summary":"s","severity":"info""#), ["payload.source"], "'payload.source' is required"),
        (trigger(payload: #""summary":"s","source":"h","severity":"fatal""#),
         ["payload.severity"], #"'payload.severity' must be one of critical, error, warning, info (got "fatal")"#),
        (trigger(payload: #""summary":"s","source":"h","severity":"CRITICAL""#), ["payload.severity"], "must be one of"),
        (trigger(payload: #""summary":"s","source":"h""#), ["payload.severity"], "'payload.severity' is required"),
        (trigger(payload: validPayload + #","timestamp":"yesterday""#), ["payload.timestamp"], "ISO 8601"),
        (trigger(payload: validPayload + #","timestamp":"2015-07-17T08:42:58""#), ["payload.timestamp"], "with a time zone"),
        (trigger(payload: validPayload + #","component":"\#(String(repeating: "c", count: 4097))""#),
         ["payload.component"], "at most 4096 bytes"),
        (trigger(extra: #""links":{"href":"https://example.com/"},"#), ["links"], "'links' must be an array"),
        (trigger(extra: #""links":[{"text":"runbook"}],"#), ["links[0].href"], "'links[0].href' is required"),
        (trigger(extra: #""images":[{"src":"https://example.com/a.png"},"b.png"],"#), ["images[1]"], "'images[1]' must be an object"),
        ("[]", [""], "the body must be a JSON object"),
        (#""trigger""#, [""], "the body must be a JSON object"),
        ("hello", [""], "the body is not valid JSON"),
        ("", [""], "the body is not valid JSON"),
        (#"{"routing_key":"\#(routingKey)","#, [""], "the body is not valid JSON"),
        // Every problem at once, not just the first.
        (#"{"routing_key":12,"event_action":"trigger","payload":{"summary":"","severity":"fatal","timestamp":"soon"}}"#,
         ["routing_key", "payload.summary", "payload.source", "payload.severity", "payload.timestamp"],
         "'routing_key' must be a string"),
    ]

    @Test("bad input names every field at fault, with PagerDuty-style messages", arguments: invalid)
    func rejects(_ testCase: (body: String, fields: [String], fragment: String)) {
        do {
            let event = try decode(testCase.body)
            Issue.record("accepted: \(event)")
        } catch {
            #expect(error.errors.map(\.field) == testCase.fields)
            #expect(error.messages.count == testCase.fields.count)
            #expect(error.messages.contains { $0.contains(testCase.fragment) }, "\(error.messages)")
        }
    }

    @Test("the answer's parts are PagerDuty's: status, message and one error per problem")
    func invalidAnswer() {
        do {
            _ = try decode(#"{"routing_key":"short","event_action":"trigger"}"#)
            Issue.record("accepted")
        } catch {
            #expect(PagerDutyEvent.Invalid.status == "invalid event")
            #expect(PagerDutyEvent.Invalid.message == "Event object is invalid")
            #expect(error.messages == [
                "'routing_key' must be 32 characters long (got 5)",
                #"'payload' is required when event_action is "trigger""#,
            ])
            #expect(error.errors[0].description == "routing_key: must be 32 characters long (got 5)")
            #expect("\(error)".hasPrefix("Event object is invalid: 'routing_key'"))
        }
    }
}
