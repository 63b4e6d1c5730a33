import Foundation
import Testing
import TocsinCore

@Suite("Delivery decisions and rendering")
struct DeliveryRenderingTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let policy = DeliveryPolicy(maxAttempts: 5, maxAge: 3600, initialBackoff: 1, maxBackoff: 60, jitter: 0.2)

    @Test("2xx is sent; 408, 429, 5xx and transport failures retry with growing backoff; other 4xx are dead")
    func outcomes() {
        #expect(policy.outcome(of: .answered(status: 204, retryAfter: nil, detail: nil), attempt: 1, queuedAt: t0, now: t0, random: 0.5) == .sent)
        for status in [408, 429, 500, 503] {
            guard case .retry = policy.outcome(of: .answered(status: status, retryAfter: nil, detail: nil), attempt: 1, queuedAt: t0, now: t0, random: 0.5) else {
                Issue.record("\(status) must be retried")
                continue
            }
        }
        guard case .dead(let reason) = policy.outcome(of: .answered(status: 400, retryAfter: nil, detail: "bad"), attempt: 1, queuedAt: t0, now: t0, random: 0.5) else {
            Issue.record("400 must be dead")
            return
        }
        #expect(reason.contains("HTTP 400: bad"))
        let delays = (1...4).compactMap { attempt -> TimeInterval? in
            if case .retry(let at, _) = policy.outcome(of: .failed("refused"), attempt: attempt, queuedAt: t0, now: t0, random: 0.5) {
                return at.timeIntervalSince(t0)
            }
            return nil
        }
        #expect(delays == [1, 2, 4, 8])
        guard case .dead = policy.outcome(of: .failed("refused"), attempt: 5, queuedAt: t0, now: t0, random: 0.5) else {
            Issue.record("the attempt limit must end retries")
            return
        }
    }

    @Test("jitter stays within its bounds, Retry-After is honoured, and age ends retries")
    func jitterRetryAfterAge() {
        if case .retry(let at, _) = policy.outcome(of: .failed("x"), attempt: 3, queuedAt: t0, now: t0, random: 0) {
            #expect(abs(at.timeIntervalSince(t0) - 3.2) < 0.001)
        }
        if case .retry(let at, _) = policy.outcome(of: .failed("x"), attempt: 3, queuedAt: t0, now: t0, random: 0.999_999) {
            #expect(abs(at.timeIntervalSince(t0) - 4.8) < 0.001)
        }
        if case .retry(let at, _) = policy.outcome(
            of: .answered(status: 429, retryAfter: 30, detail: nil), attempt: 1, queuedAt: t0, now: t0, random: 0.5)
        {
            #expect(at.timeIntervalSince(t0) == 30)
        } else {
            Issue.record("429 must be retried")
        }
        guard case .dead(let reason) = policy.outcome(of: .failed("x"), attempt: 2, queuedAt: t0, now: t0.addingTimeInterval(3599), random: 0.5) else {
            Issue.record("max age must end retries")
            return
        }
        #expect(reason.contains("older than 1h"))
        #expect(DeliveryPolicy.retryAfter("120", now: t0) == 120)
        #expect(DeliveryPolicy.retryAfter(MailDate.format(t0.addingTimeInterval(60)).replacingOccurrences(of: "+0000", with: "GMT"), now: t0) == 60)
        #expect(DeliveryPolicy.retryAfter("soon", now: t0) == nil)
    }

    @Test("RFC 5322 dates")
    func mailDates() throws {
        let date = try #require(RFC3339.parse("2026-11-27T01:26:09Z"))
        #expect(MailDate.format(date) == "Fri, 27 Nov 2026 01:26:09 +0000")
        #expect(MailDate.parseIMF("Sun, 06 Nov 1994 08:49:37 GMT") == RFC3339.parse("1994-11-06T08:49:37Z"))
    }

    @Test("headers: ASCII stays as it is, anything else becomes RFC 2047 encoded-words")
    func headerEncoding() throws {
        #expect(EmailMessage.encodeHeader("[CRITICAL] #42 DiskFull on db1") == "[CRITICAL] #42 DiskFull on db1")
        let encoded = EmailMessage.encodeHeader("[CRITICAL] #42 Plattenplatz fast voll auf Wärme-Server 🔥")
        #expect(encoded.hasPrefix("=?UTF-8?B?"))
        let decoded = encoded.components(separatedBy: "\r\n ").map { word -> String in
            let base64 = word.dropFirst(10).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == "[CRITICAL] #42 Plattenplatz fast voll auf Wärme-Server 🔥")
        #expect(encoded.components(separatedBy: "\r\n ").allSatisfy { $0.count <= 75 })
    }

    @Test("quoted-printable: CRLF lines under 76 characters, '=' and non-ASCII escaped, trailing spaces kept")
    func quotedPrintable() {
        let text = "résumé = 100%\n" + String(repeating: "x", count: 100) + "\n.leading dot \n"
        let encoded = EmailMessage.quotedPrintable(text)
        #expect(encoded.contains("r=C3=A9sum=C3=A9 =3D 100%"))
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.contains("\r\n.leading dot=20\r\n"))
    }

    @Test("an email threads by incident, keeps its Message-ID across renders, and carries both parts and links")
    func notificationEmail() throws {
        let incident = Incident(
            id: 42, title: "Disk <almost> full", severity: "critical", state: .triggered, source: "alertmanager", receiver: "r",
            groupKey: "k", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 1, firingCount: 1,
            truncatedAlerts: 0)
        let draft = NotificationDraft(
            incidentID: 42, idempotencyKey: "incident-42/e0/p0/s0/person:alice/email:alice@example.com", event: .triggered,
            target: "person:alice", contact: .email("alice@example.com"), urgent: true,
            subject: "[CRITICAL] #42 Disk <almost> full", body: "Incident #42")
        let entry = OutboxEntry(draft, now: t0)
        let links = WebhookPayload.Links(ack: "https://t.example.com/ack?token=a", resolve: "https://t.example.com/resolve?token=b")
        let first = EmailMessage.notification(entry, incident: incident, alerts: [], from: "Tocsin <tocsin@example.com>", date: t0, incidentURL: "https://t.example.com/i/42", links: links)
        let again = EmailMessage.notification(entry, incident: incident, alerts: [], from: "Tocsin <tocsin@example.com>", date: t0.addingTimeInterval(60), incidentURL: "https://t.example.com/i/42", links: links)
        #expect(first.messageID == again.messageID)
        #expect(first.messageID.hasSuffix("@example.com"))
        #expect(first.thread == "tocsin.incident.42@example.com")
        #expect(first.html.contains("Disk &lt;almost&gt; full"))
        #expect(first.text.contains("Acknowledge: https://t.example.com/ack?token=a"))
        let raw = first.rendered(randomToken: "b1")
        #expect(raw.contains("\r\nIn-Reply-To: <tocsin.incident.42@example.com>\r\n"))
        #expect(raw.contains("Content-Type: multipart/alternative; boundary=\"=_tocsin_b1\""))
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends with CRLF")
    }

    @Test("webhook payload: versioned, snake_case, and a Slack rendering with escaped text and links")
    func webhookPayload() throws {
        let incident = Incident(
            id: 7, title: "A & B", severity: "warning", state: .triggered, source: "alertmanager", receiver: "r",
            groupKey: "k", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 1, firingCount: 1,
            truncatedAlerts: 0)
        let draft = NotificationDraft(
            incidentID: 7, idempotencyKey: "k1", event: .escalated, target: "channel:chat", contact: .webhook("http://x"),
            urgent: true, subject: "[WARNING] #7 A & B", body: "text", step: "p step 2/3")
        let facts = PageFacts(
            entry: OutboxEntry(draft, now: t0), incident: incident, alerts: [], incidentURL: "http://t/i/7",
            links: .init(ack: "http://t/ack", resolve: nil))
        let payload = WebhookPayload(facts, entry: OutboxEntry(draft, now: t0), incident: incident, alerts: [])
        let json = try JSONSerialization.jsonObject(with: try TocsinJSON.encoder().encode(payload)) as? [String: Any]
        #expect(json?["version"] as? String == "1")
        #expect(json?["idempotency_key"] as? String == "k1")
        #expect(json?["step"] as? String == "p step 2/3")
        #expect((json?["incident"] as? [String: Any])?["created_at"] as? String == RFC3339.format(t0))
        #expect(json?["escalations"] == nil, "no escalation given: the field is left out")
        let slack = SlackMessage(facts).text
        #expect(slack.hasPrefix("*[WARNING] #7 A &amp; B*"))
        #expect(slack.contains("<http://t/ack|Acknowledge>"))
        #expect(SlackMessage(facts).blocks?.first == .header("WARNING: A & B"), "plain text needs no escaping")
    }

    @Test("a page names each alert by the labels that set it apart, in the email's text and HTML and the webhook's text")
    func alertsNamedByDistinguishingLabels() throws {
        let incident = Incident(
            id: 9, title: "Nodes down in eu2", severity: "critical", state: .triggered, source: "alertmanager", receiver: "r",
            groupKey: "k", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 2, firingCount: 2,
            truncatedAlerts: 0)
        let alerts = ["db1:9100", "db2:9100"].map { instance in
            IncidentAlert(
                incidentID: 9,
                alert: Alert(
                    status: .firing, labels: ["alertname": "NodeDown", "cluster": "eu2", "instance": instance],
                    annotations: ["summary": "Nodes down in eu2"], startsAt: t0),
                firstSeenAt: t0, lastSeenAt: t0)
        }
        #expect(AlertListing.lines(alerts) == [
            "[firing] Nodes down in eu2 (instance=db1:9100)", "[firing] Nodes down in eu2 (instance=db2:9100)",
        ])
        #expect(AlertListing.lines(Array(alerts.prefix(1))) == ["[firing] Nodes down in eu2"], "one alert needs no labels")
        let draft = NotificationDraft(
            incidentID: 9, idempotencyKey: "k9", event: .triggered, target: "person:alice", contact: .email("alice@example.com"),
            urgent: true, subject: "[CRITICAL] #9 Nodes down in eu2", body: "Incident #9: Nodes down in eu2")
        let entry = OutboxEntry(draft, now: t0)
        let links = WebhookPayload.Links(ack: "http://t/ack", resolve: nil)
        let email = EmailMessage.notification(
            entry, incident: incident, alerts: alerts, from: "tocsin@example.com", date: t0, incidentURL: "http://t/i/9", links: links)
        for instance in ["db1:9100", "db2:9100"] {
            #expect(email.text.contains("- [firing] Nodes down in eu2 (instance=\(instance))"))
            #expect(email.html.contains(">instance=\(instance)</span>"), "the label that tells it apart, as a chip")
        }
        let payload = WebhookPayload(entry: entry, incident: incident, alerts: alerts, incidentURL: "http://t/i/9", links: links)
        #expect(payload.text.hasSuffix("Alerts:\n- [firing] Nodes down in eu2 (instance=db1:9100)\n- [firing] Nodes down in eu2 (instance=db2:9100)"))
        let facts = PageFacts(entry: entry, incident: incident, alerts: alerts, incidentURL: "http://t/i/9", links: links)
        #expect(SlackMessage(facts).text.contains("(instance=db2:9100)"))
        #expect(SlackMessage(facts).blocks?.contains(.section(
            "*FIRING* · *Nodes down in eu2*\ninstance=db2:9100\nsince Fri 27 Nov 17:20 UTC")) == true)
    }

    @Test("Grafana's dashboard and panel links show in the email and the Slack message as Dashboard and Panel; only http(s) ones")
    func sourceLinks() throws {
        let incident = Incident(
            id: 5, title: "High memory", severity: "critical", state: .triggered, source: "grafana", receiver: "r",
            groupKey: "k", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 2, firingCount: 1,
            truncatedAlerts: 0)
        let annotations: [(AlertStatus, [String: String])] = [
            (.resolved, ["dashboardURL": "https://grafana.example.test/d/old"]),
            (.firing, ["dashboardURL": "https://grafana.example.test/d/mem", "panelURL": "javascript:alert(1)"]),
        ]
        let alerts = annotations.enumerated().map { index, entry in
            IncidentAlert(
                incidentID: 5,
                alert: Alert(
                    status: entry.0, labels: ["alertname": "HighMemory", "zone": "z\(index)"], annotations: entry.1, startsAt: t0,
                    endsAt: entry.0 == .resolved ? t0 : nil),
                firstSeenAt: t0, lastSeenAt: t0)
        }
        let draft = NotificationDraft(
            incidentID: 5, idempotencyKey: "k5", event: .triggered, target: "person:alice", contact: .email("alice@example.com"),
            urgent: true, subject: "[CRITICAL] #5 High memory", body: "Incident #5: High memory")
        let entry = OutboxEntry(draft, now: t0)
        let links = WebhookPayload.Links(ack: nil, resolve: nil)
        let email = EmailMessage.notification(
            entry, incident: incident, alerts: alerts, from: "tocsin@example.com", date: t0, incidentURL: "http://t/i/5", links: links)
        // Each alert shows its own links, the firing alert first.
        let mem = try #require(email.text.range(of: "  Dashboard: https://grafana.example.test/d/mem\n"))
        let old = try #require(email.text.range(of: "  Dashboard: https://grafana.example.test/d/old\n"))
        #expect(mem.lowerBound < old.lowerBound, "the firing alert's link first")
        #expect(email.html.contains(#"<a href="https://grafana.example.test/d/mem" target="_blank""#))
        #expect(email.html.contains(">Dashboard</a>"))
        #expect(!email.text.contains("Panel:") && !email.html.contains("javascript:"))
        let facts = PageFacts(entry: entry, incident: incident, alerts: alerts, incidentURL: "http://t/i/5", links: links)
        let slack = String(decoding: try TocsinJSON.encoder().encode(SlackMessage(facts)), as: UTF8.self)
        #expect(slack.contains("<https://grafana.example.test/d/mem|Dashboard>") && !slack.contains("Panel"))
    }

    @Test("long subjects are folded into lines a strict server accepts: at spaces when ASCII, else as encoded words", arguments: [
        String(repeating: "Disk almost full on db1 ", count: 92),                      // 2.2 KB of words
        String(repeating: "x", count: 2_200),                                          // one word too long to fold
        String(repeating: "Plattenplatz fast voll auf Wärme-Server ", count: 50),      // not ASCII
        "e" + String(repeating: "\u{301}", count: 400),                                 // one character of 801 bytes
        "short subject",
    ])
    func foldedSubject(summary: String) throws {
        let message = EmailMessage(
            from: "tocsin@example.com", to: ["alice@example.com"], subject: "[CRITICAL] #1 " + summary, date: t0,
            messageID: "m@example.com", thread: nil, text: "t", html: "h")
        let raw = message.rendered(randomToken: "r")
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        let lines = head.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.map(\.utf8.count).max() ?? 0)")
        // Unfolding (RFC 5322 §2.2.3) and decoding give the subject back.
        let subject = lines.drop { !$0.hasPrefix("Subject: ") }.prefix { $0.hasPrefix("Subject: ") || $0.hasPrefix(" ") }
        let unfolded = subject.joined(separator: "").dropFirst("Subject: ".count)
        if unfolded.hasPrefix("=?UTF-8?B?") {
            let decoded = unfolded.components(separatedBy: " ").map { word in
                String(decoding: Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data(), as: UTF8.self)
            }.joined()
            #expect(decoded == "[CRITICAL] #1 " + summary)
        } else {
            #expect(String(unfolded) == "[CRITICAL] #1 " + summary)
        }
    }
}
