import Foundation
import Testing
import TocsinCore
@testable import TocsinDelivery

/// The renderer gives every format the incident's escalation and the recipient's time zone, and
/// the bytes that leave keep hostile alert text inert.
@Suite("Notification renderer: escalation, time zone, hostile text")
struct PageRendererTests {
    /// Fri 27 Nov 2026 17:20 UTC.
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let renderer = NotificationRenderer(
        settings: DeliverySettings(publicURL: "https://tocsin.example.com"), signer: LinkSigner(key: Array("k".utf8)))
    let berlin = TimeZone(identifier: "Europe/Berlin") ?? ReadableTime.utc
    let bcc = "Disk full\r\nBcc: evil@example.com"

    var incident: Incident {
        Incident(
            id: 3, title: bcc, severity: "critical", state: .triggered, source: "alertmanager", receiver: "r", groupKey: "k",
            groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 1, firingCount: 1, truncatedAlerts: 0)
    }

    var alert: IncidentAlert {
        IncidentAlert(
            incidentID: 3,
            alert: Alert(
                status: .firing, labels: ["alertname": "Evil", "team": #""><script>alert(2)</script>"#],
                annotations: [
                    "summary": "<img src=x onerror=alert(1)>", "description": "*bold* <!channel> <http://evil|click>",
                    "runbook_url": "javascript:alert(3)",
                ],
                startsAt: t0),
            firstSeenAt: t0, lastSeenAt: t0)
    }

    /// Alice paged at step 1; bob is next, 5 minutes later.
    var escalation: Escalation {
        let policy = EscalationPolicy(
            name: "critical-immediate",
            steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")])])
        return Escalation(
            id: 1, incidentID: 3, snapshot: PolicySnapshot(policy: policy, contacts: [:]), startedAt: t0, position: 1,
            nextDueAt: t0.addingTimeInterval(300))
    }

    func entry(_ contact: Contact) -> OutboxEntry {
        var entry = OutboxEntry(
            NotificationDraft(
                incidentID: 3, idempotencyKey: "k", event: .triggered, target: "person:alice", contact: contact, urgent: true,
                subject: "[CRITICAL] #3 " + bcc, body: "Incident #3: " + bcc, step: "critical-immediate step 1/2"),
            now: t0)
        entry.id = 1
        return entry
    }

    @Test("a Slack page escapes mrkdwn, links only Tocsin's buttons, and shows the escalation in the recipient's zone")
    func slack() throws {
        let body = try renderer.webhookBody(
            entry(.webhook("https://hooks.slack.example/x")), incident: incident, alerts: [alert], escalations: [escalation],
            timeZone: berlin, format: .slack, now: t0)
        #expect(body.contains("&lt;!channel&gt;") && !body.contains("<!channel>"))
        #expect(!body.contains("<http://evil|click>") && !body.contains("<img"))
        #expect(!body.lowercased().contains("javascript:"))
        #expect(body.contains("step 2 of 2 next: bob at Fri 27 Nov 18:25"), "bob's step, in Berlin's time")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(json["text"] is String)
        let blocks = try #require(json["blocks"] as? [[String: Any]])
        let actions = try #require(blocks.first { $0["type"] as? String == "actions" })
        let urls = (actions["elements"] as? [[String: Any]] ?? []).compactMap { $0["url"] as? String }
        #expect(urls.count == 3)
        #expect(urls[0].hasPrefix("https://tocsin.example.com/api/v1/incidents/3/ack?token="))
        #expect(urls[1].hasPrefix("https://tocsin.example.com/api/v1/incidents/3/resolve?token="))
        #expect(urls[2] == "https://tocsin.example.com/ui/incidents/3")
    }

    @Test("Tocsin's JSON carries the escalation, and its text says who is next")
    func tocsinJSON() throws {
        let body = try renderer.webhookBody(
            entry(.webhook("https://hooks.example.com/x")), incident: incident, alerts: [alert], escalations: [escalation],
            timeZone: berlin, format: .tocsin, now: t0)
        let payload = try TocsinJSON.decoder().decode(WebhookPayload.self, from: Data(body.utf8))
        #expect(payload.escalations?.first?.nextTargets == ["bob"])
        #expect(payload.escalations?.first?.nextDueAt == t0.addingTimeInterval(300))
        #expect(payload.text.contains("Escalation: critical-immediate: step 2 of 2 next: bob at Fri 27 Nov 18:25"))
        #expect(payload.incident.url == "https://tocsin.example.com/ui/incidents/3")
    }

    @Test("an email page: no header from the subject's line break, only escaped alert text, no javascript: link")
    func email() throws {
        let raw = renderer.email(
            entry(.email("alice@example.com")), incident: incident, alerts: [alert], escalations: [escalation], timeZone: berlin,
            from: "Tocsin <tocsin@example.com>", now: t0)
        let head = try #require(raw.components(separatedBy: "\r\n\r\n").first)
        #expect(!head.components(separatedBy: "\r\n").contains { $0.lowercased().hasPrefix("bcc:") }, "\(head)")
        let html = try #require(raw.components(separatedBy: "Content-Type: text/html; charset=utf-8").last)
        // Quoted-printable soft breaks (`=` at a line's end) and `=3D` hide nothing from these checks once undone.
        let decoded = html.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        #expect(!decoded.contains("<script") && !decoded.contains("<img") && !decoded.contains("<!channel>"))
        #expect(decoded.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!decoded.lowercased().contains("javascript:"))
        #expect(decoded.contains("step 2 of 2 next: bob at Fri 27 Nov 18:25"))
        #expect(decoded.contains("min-height:44px"))
    }
}
