import Foundation
import Testing
import TocsinAPI
import TocsinCore
@testable import TocsinDelivery

/// The webhook body written by hand is the bytes JSONEncoder writes for the same payload.
@Suite("A page's webhook body without JSONEncoder")
struct WebhookPayloadJSONTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.125)

    func incident(acknowledged: Bool, resolved: Bool) -> Incident {
        Incident(
            id: 42, title: "Disk \"full\"\n\u{1}on db1 / ünïcødé 🔥", severity: "critical", state: resolved ? .resolved : .triggered,
            source: "alertmanager", receiver: "r", groupKey: "k", groupLabels: ["job": "node"], externalURL: "",
            createdAt: t0, lastSeenAt: t0, acknowledgedAt: acknowledged ? t0.addingTimeInterval(60.5) : nil,
            acknowledgedBy: acknowledged ? "alice\\bob" : nil, resolvedAt: resolved ? t0.addingTimeInterval(600) : nil,
            resolvedBy: resolved ? "alertmanager" : nil, alertCount: 2, firingCount: 1, truncatedAlerts: 3)
    }

    func alerts(ended: Bool) -> [IncidentAlert] {
        [
            IncidentAlert(
                incidentID: 42,
                alert: Alert(
                    status: .firing, labels: ["alertname": "DiskFull", "instance": "db1:9100", "Zed": "z", "a\"b": "\t"],
                    annotations: ["summary": "<b>full</b> & 'quoted'", "runbook_url": "https://runbooks.example/disk?x=1&y=2"],
                    startsAt: t0, generatorURL: "http://prometheus.example:9090/graph?g0.expr=up%3D%3D0"),
                firstSeenAt: t0, lastSeenAt: t0),
            IncidentAlert(
                incidentID: 42,
                alert: Alert(
                    status: ended ? .resolved : .firing, labels: [:], annotations: [:], startsAt: t0,
                    endsAt: ended ? t0.addingTimeInterval(30) : nil),
                firstSeenAt: t0, lastSeenAt: t0),
        ]
    }

    func payload(full: Bool) throws -> WebhookPayload {
        var entry = OutboxEntry(
            NotificationDraft(
                incidentID: 42, idempotencyKey: "42-step-1-person:alice", event: full ? .acknowledged : .triggered,
                target: "person:alice", contact: .webhook("https://hooks.example.com/x"), urgent: true, subject: "[CRITICAL] #42",
                body: "Incident #42", step: full ? "critical-immediate step 1/2" : nil),
            now: t0)
        entry.id = 7
        var payload = WebhookPayload(
            entry: entry, incident: incident(acknowledged: full, resolved: full), alerts: alerts(ended: full),
            incidentURL: "https://tocsin.example.com/ui/incidents/42",
            links: full ? WebhookPayload.Links(ack: "https://t.example/ack?token=a.b", resolve: "https://t.example/r?token=c") : .init())
        if full {
            payload.incident.apiURL = "https://tocsin.example.com/api/v1/incidents/42"
            // Summaries as a receiver reads them back: one with a next step, one with every step run.
            payload.escalations = try TocsinJSON.decoder().decode(
                [WebhookPayload.EscalationSummary].self,
                from: Data(
                    """
                    [{"policy":"critical-immediate","summary":"step 2 of 3 next","step_count":3,"next_step":2,
                      "next_targets":["bob","team:db"],"next_due_at":"2026-11-27T17:25:00.125Z"},
                     {"policy":"done","summary":"every step run","step_count":1,"next_targets":[]}]
                    """.utf8))
        }
        return payload
    }

    @Test("every optional set, and every optional absent: the same bytes as TocsinJSON's encoder", arguments: [true, false])
    func sameBytes(full: Bool) throws {
        let payload = try payload(full: full)
        let written = try JSONWriter.bytes(of: payload)
        let encoded = Array(try TocsinJSON.encoder().encode(payload))
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        #expect(try TocsinJSON.decoder().decode(WebhookPayload.self, from: Data(written)) == payload)
    }
}
