import Foundation
import Testing
import TocsinCore
@testable import TocsinDelivery

/// Alert text cannot reshape the email a person is paged with.
@Suite("Email MIME structure under hostile alert text")
struct EmailInjectionTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    /// Parses `raw` with Python's `email` package, as a mail client would, and returns each leaf
    /// part's content type and decoded text.
    func parts(of raw: String) throws -> [(type: String, text: String)] {
        let script = """
            import email, email.policy, json, sys
            message = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
            print(json.dumps([[part.get_content_type(), part.get_content()] for part in message.walk() if not part.is_multipart()]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(raw.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let decoded = try JSONSerialization.jsonObject(with: data) as? [[String]] ?? []
        return decoded.map { ($0[0], $0[1]) }
    }

    @Test("a summary that forges the old, guessable boundary stays inside the text and HTML parts; the signed links stay in the HTML")
    func forgedBoundary() throws {
        // The hostile summary aims at the boundary the outbox and incident ids used to give.
        let hostile = "Disk full\n--tocsin-1-1\nContent-Type: text/html\n\n<p>false alarm</p><a href=\"https://evil.example\">Acknowledge</a>\n--tocsin-1-1--\n"
            + "\n--=_tocsin_\n--=_tocsin_0000000000000000\n"
        let incident = Incident(
            id: 1, title: hostile, severity: "critical", state: .triggered, source: "alertmanager", receiver: "r", groupKey: "k",
            groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 1, firingCount: 1, truncatedAlerts: 0)
        let alert = IncidentAlert(
            incidentID: 1,
            alert: Alert(status: .firing, labels: ["alertname": "DiskFull"], annotations: ["summary": hostile], startsAt: t0),
            firstSeenAt: t0, lastSeenAt: t0)
        var entry = OutboxEntry(
            NotificationDraft(
                incidentID: 1, idempotencyKey: "k", event: .triggered, target: "person:alice", contact: .email("alice@example.com"),
                urgent: true, subject: "[CRITICAL] #1 " + hostile, body: "Incident #1: " + hostile),
            now: t0)
        entry.id = 1
        let renderer = NotificationRenderer(
            settings: DeliverySettings(publicURL: "https://tocsin.example.com"), signer: LinkSigner(key: Array("k".utf8)))
        let raw = renderer.email(entry, incident: incident, alerts: [alert], from: "Tocsin <tocsin@example.com>", now: t0)

        let parsed = try parts(of: raw)
        #expect(parsed.map(\.type) == ["text/plain", "text/html"], "\(parsed)")
        let html = try #require(parsed.last?.text)
        #expect(html.contains("https://tocsin.example.com/api/v1/incidents/1/ack?token="), "the real signed link is in the HTML part")
        #expect(!html.contains("<a href=\"https://evil.example\">"), "the forged link is escaped text, not a link")
        #expect(html.contains("&lt;p&gt;false alarm"))
        #expect(parsed.first?.text.contains("--tocsin-1-1") == true, "the forged boundary is ordinary text in the text part")

        // Two renderings of the same notification use different, unguessable boundaries.
        let again = renderer.email(entry, incident: incident, alerts: [alert], from: "Tocsin <tocsin@example.com>", now: t0)
        let boundary = { (text: String) in text.components(separatedBy: "boundary=\"")[1].prefix { $0 != "\"" } }
        #expect(boundary(raw) != boundary(again))
        #expect(boundary(raw).count >= 32)
    }
}
