import Foundation
import PropertyBased
import Testing
import TocsinAPI
import TocsinCore
import TocsinStore
import TocsinTestSupport

@testable import TocsinServer

/// The API's answers written by `JSONWriter` are byte for byte what `TocsinJSON.encoder()` gives
/// for the same values: every generated type, every optional set and unset, strings with quotes,
/// backslashes, slashes, control characters and any Unicode, maps whose keys sort in byte order.
@Suite("JSON writer")
struct JSONWriterTests {
    static let tricky = "a \"quoted\" \\path/to\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f} é \u{2028} 😀 </script>"
    static let at = Date(timeIntervalSince1970: 1_795_800_000.123)

    func expectSame(_ value: some JSONWritable, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let written = try JSONWriter.bytes(of: value)
        let encoded = Array(try TocsinJSON.encoder().encode(value))
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self), sourceLocation: sourceLocation)
    }

    @Test("a real incident's detail, list and command answer: alerts, timeline, escalations with their snapshots, deliveries")
    func realIncident() async throws {
        try await LiveServer.run(policies: try PolicyDirectory.load("escalation-policies")) { server in
            _ = try await server.ingest(try Fixtures.data("webhook-04-firing-grouped-2-alerts"))
            _ = try await server.api(.post, "/api/v1/incidents/1/ack", json: #"{"note": "on it \"now\""}"#)
            let detail = IncidentDetailResource(try await server.store.incident(id: 1))
            #expect(!detail.alerts.isEmpty && !detail.timeline.isEmpty && !detail.escalations.isEmpty && !detail.notifications.isEmpty)
            try expectSame(detail)
            try expectSame(IncidentListResource(try await server.store.incidents(filter: .all, limit: 50)))
            try expectSame(IncidentCommandResultResource(incident: detail.incident, changed: true))
            try expectSame(DeliveryListResource(deliveries: detail.notifications))
        }
    }

    @Test("every optional set and unset, and strings that need escaping")
    func optionalsAndEscapes() throws {
        let incident = IncidentResource(
            id: 7, title: Self.tricky, severity: "critical", state: .acknowledged, source: "alertmanager", receiver: "r/1",
            groupKey: "{}:{alertname=\"A\"}", groupLabels: ["b": "2", "B": "x", "a_b": "y", "a-b": "z", "é": Self.tricky, "": ""],
            externalURL: "http://am/#/alerts", createdAt: Self.at, lastSeenAt: Self.at, acknowledgedAt: Self.at, acknowledgedBy: "alice",
            resolvedAt: Self.at, resolvedBy: "bob", alertCount: 3, firingCount: 2, truncatedAlerts: 1, drillRun: "drill-1",
            correlationID: "c-1")
        try expectSame(incident)
        var bare = incident
        (bare.acknowledgedAt, bare.acknowledgedBy, bare.resolvedAt, bare.resolvedBy, bare.drillRun, bare.correlationID) = (nil, nil, nil, nil, nil, nil)
        bare.groupLabels = [:]
        try expectSame(bare)
        try expectSame(IncidentListResource(incidents: [incident, bare], nextBefore: 6))
        try expectSame(IncidentListResource(incidents: [], nextBefore: nil))
        try expectSame(IngestResultResource(incidentIDs: [1, 2], state: .triggered, alerts: IngestCountsResource(new: 1, updated: 2, resolved: 3, ignored: 4)))
        try expectSame(IngestResultResource(incidentIDs: [], alerts: IngestCountsResource(new: 0, updated: 0, resolved: 0, ignored: 0)))
        try expectSame(ErrorResource(error: ErrorDetailResource(status: 400, code: "invalid_payload", field: "alerts[0].labels", message: Self.tricky, requestID: "r")))
        try expectSame(ErrorResource(error: ErrorDetailResource(status: 500, code: "internal", message: "internal error")))
        try expectSame(HealthResource(status: "not ready", detail: Self.tricky, problems: ["a", Self.tricky]))
        try expectSame(HealthResource(status: "ok"))
        try expectSame(ReloadResource(status: "reloaded", policies: 2, routes: 3))
        try expectSame(ReloadResource(status: "kept running configuration", problems: [Self.tricky]))
        try expectSame(OverrideResource(id: 1, schedule: "primary", person: "carol", startsAt: Self.at, endsAt: Self.at, note: Self.tricky, createdBy: "alice", createdAt: Self.at))
        try expectSame(OverrideListResource(overrides: [OverrideResource(id: 2, schedule: "s", person: "p", startsAt: Self.at, endsAt: Self.at, createdBy: "a", createdAt: Self.at)]))
        try expectSame(DrillRunResource(id: "drill-1", name: Self.tricky, receiverURL: "http://127.0.0.1:1/", realTargets: false, startedBy: "alice", startedAt: Self.at, finishedAt: Self.at))
        try expectSame(DrillListResource(drills: [DrillRunResource(id: "d", name: "n", realTargets: true, startedBy: "a", startedAt: Self.at)]))
        let shift = ShiftResource(person: "alice", source: "layer primary", start: Self.at, end: Self.at)
        try expectSame(OnCallResource(schedule: "primary", timezone: "Europe/Berlin", at: Self.at, oncall: shift, next: shift))
        try expectSame(OnCallResource(schedule: "primary", timezone: "UTC", at: Self.at))
        try expectSame(OnCallTimelineResource(schedule: "s", timezone: "UTC", shifts: [shift, ShiftResource(person: nil, source: "gap", start: Self.at, end: Self.at)]))
    }

    @Test("any string is written as JSONEncoder writes it")
    func anyString() async {
        await propertyCheck(input: Gen.character(in: "\u{0}"..."\u{10FF}").string(of: 0...40)) { text in
            let value = HealthResource(status: text, detail: text)
            let written = try? JSONWriter.bytes(of: value)
            let encoded = try? TocsinJSON.encoder().encode(value)
            #expect(written != nil && written == encoded.map(Array.init))
        }
    }
}
