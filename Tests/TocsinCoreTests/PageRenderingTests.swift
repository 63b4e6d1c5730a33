import Foundation
import Testing
import TocsinCore

/// Pages a person can act on at 3 a.m.: every format (email HTML and text, Slack, the webhook's
/// `text`) says the same facts, and none lets alert text through unescaped.
@Suite("Page rendering: email, Slack, webhook")
struct PageRenderingTests {
    /// Fri 27 Nov 2026 17:20 UTC, 18:20 in Berlin (CET, UTC+1).
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let berlin = TimeZone(identifier: "Europe/Berlin") ?? ReadableTime.utc
    let links = WebhookPayload.Links(
        ack: "https://tocsin.example.com/api/v1/incidents/42/ack?token=a",
        resolve: "https://tocsin.example.com/api/v1/incidents/42/resolve?token=b")
    let incidentURL = "https://tocsin.example.com/ui/incidents/42"

    static let policy = EscalationPolicy(
        name: "critical-immediate",
        steps: [
            .init(after: 0, notify: [.person("alice")]),
            .init(after: 300, notify: [.person("bob")]),
            .init(after: 900, notify: [.channel("ops")]),
        ])

    func incident(title: String = "Nodes down in eu2", alerts: Int) -> Incident {
        Incident(
            id: 42, title: title, severity: "critical", state: .triggered, source: "alertmanager", receiver: "r",
            groupKey: "k", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: alerts,
            firingCount: alerts, truncatedAlerts: 0)
    }

    /// `count` NodeDown alerts on db1, db2, …, each with a description and a runbook.
    func alerts(_ count: Int) -> [IncidentAlert] {
        (1...count).map { index in
            IncidentAlert(
                incidentID: 42,
                alert: Alert(
                    status: .firing,
                    labels: ["alertname": "NodeDown", "severity": "critical", "cluster": "eu2", "instance": "db\(index):9100"],
                    annotations: [
                        "summary": "Node down", "description": "db\(index) has not answered for 5 minutes",
                        "runbook_url": "https://runbooks.example.com/node-down",
                    ],
                    startsAt: t0.addingTimeInterval(-120), generatorURL: "https://prometheus.example.com/graph?g0.expr=up"),
                firstSeenAt: t0, lastSeenAt: t0)
        }
    }

    /// Step 1 ran; step 2 (bob) falls due 5 minutes after `t0`.
    var escalation: Escalation {
        Escalation(
            id: 1, incidentID: 42, snapshot: PolicySnapshot(policy: Self.policy, contacts: [:]), startedAt: t0, position: 1,
            nextDueAt: t0.addingTimeInterval(300))
    }

    func entry(subject: String = "[CRITICAL] #42 Nodes down in eu2", address: String = "alice@example.com") -> OutboxEntry {
        OutboxEntry(
            NotificationDraft(
                incidentID: 42, idempotencyKey: "incident-42/critical-immediate/e0/p0/s0/person:alice/email-1", event: .triggered,
                target: "person:alice", contact: .email(address), urgent: true, subject: subject,
                body: "Incident #42: Nodes down in eu2\nState: triggered, severity critical, 2 of 2 alerts firing\n"
                    + "Policy critical-immediate, step 1/3\nAcknowledge: tocsin ack 42",
                step: "critical-immediate step 1/3"),
            now: t0)
    }

    func facts(alerts count: Int, zone: TimeZone? = nil) -> PageFacts {
        PageFacts(
            entry: entry(), incident: incident(alerts: count), alerts: alerts(count), escalations: [escalation],
            incidentURL: incidentURL, links: links, timeZone: zone ?? berlin)
    }

    /// Whether `text` gives `local` (`Fri 27 Nov 18:20`) with Berlin's winter zone, whichever way
    /// the platform abbreviates it.
    func inBerlin(_ text: String, _ local: String) -> Bool {
        text.contains("\(local) CET") || text.contains("\(local) GMT+1")
    }

    @Test("the HTML of a critical page: severity in words, title, fired-at in the recipient's zone, big buttons, alerts, escalation")
    func htmlEmail() throws {
        let facts = self.facts(alerts: 2)
        let email = EmailMessage.notification(facts, entry: entry(), from: "Tocsin <tocsin@example.com>", date: t0)
        let html = email.html
        #expect(html.contains("CRITICAL"), "the severity in words, not colour alone")
        #expect(html.contains("Nodes down in eu2"))
        #expect(inBerlin(html, "Fri 27 Nov 18:20"), "fired at 17:20 UTC, shown in Berlin")
        for index in 1...2 {
            #expect(html.contains("instance=db\(index):9100"))
            #expect(html.contains("db\(index) has not answered for 5 minutes"))
        }
        #expect(!html.contains("cluster=eu2"), "labels every alert shares tell nothing apart")
        #expect(html.contains(#"href="https://runbooks.example.com/node-down""#) && html.contains(">Runbook</a>"))
        #expect(html.contains(#"href="https://prometheus.example.com/graph?g0.expr=up""#) && html.contains(">Source</a>"))
        #expect(html.contains(#"href="https://tocsin.example.com/api/v1/incidents/42/ack?token=a""#))
        #expect(html.contains(">Acknowledge</a>") && html.contains(">Resolve</a>") && html.contains(">Open incident</a>"))
        #expect(html.contains(#"href="https://tocsin.example.com/ui/incidents/42""#))
        #expect(html.contains("min-height:44px"), "buttons a finger can hit")
        #expect(html.contains("step 2 of 3 next") && html.contains("bob") && inBerlin(html, "Fri 27 Nov 18:25"))
        #expect(html.contains("if nobody acknowledges"))
        #expect(html.contains(#"<meta name="color-scheme" content="light dark">"#))
        #expect(html.contains("max-width:600px") && html.contains(#"width="100%""#))
        #expect(!html.contains("<style") && !html.contains("<script"), "mail clients strip both")
        #expect(!html.contains("<link"), "no external stylesheet either")
    }

    @Test("the text part says what the HTML says, with every URL written out")
    func textPart() throws {
        let text = EmailMessage.notification(facts(alerts: 2), entry: entry(), from: "tocsin@example.com", date: t0).text
        #expect(text.hasPrefix("CRITICAL: Nodes down in eu2\n"))
        #expect(text.contains("Incident #42 · triggered · critical · 2 of 2 alerts firing"))
        #expect(inBerlin(text, "Fired: Fri 27 Nov 18:20"))
        #expect(text.contains("Policy critical-immediate, step 1/3"), "why this page")
        #expect(!text.contains("tocsin ack 42"), "the buttons replace the CLI hint")
        #expect(text.contains("Escalation: critical-immediate: step 2 of 3 next: bob at "))
        #expect(text.contains("(in 5m), if nobody acknowledges"))
        #expect(text.contains("Acknowledge: https://tocsin.example.com/api/v1/incidents/42/ack?token=a"))
        #expect(text.contains("Resolve: https://tocsin.example.com/api/v1/incidents/42/resolve?token=b"))
        #expect(text.contains("Open incident: https://tocsin.example.com/ui/incidents/42"))
        for index in 1...2 {
            #expect(text.contains("- [firing] Node down (instance=db\(index):9100)\n"))
            #expect(text.contains("  db\(index) has not answered for 5 minutes\n"))
        }
        #expect(inBerlin(text, "  since Fri 27 Nov 18:18"))
        #expect(text.contains("  Runbook: https://runbooks.example.com/node-down\n"))
        #expect(text.contains("  Source: https://prometheus.example.com/graph?g0.expr=up\n"))
    }

    @Test("past the limit, a page shows ten alerts and says how many more there are")
    func alertLimit() throws {
        let facts = self.facts(alerts: 13)
        #expect(facts.alerts.count == PageFacts.alertLimit && facts.moreAlerts == 3)
        let email = EmailMessage.notification(facts, entry: entry(), from: "tocsin@example.com", date: t0)
        #expect(email.html.contains("… and 3 more"))
        #expect(email.html.components(separatedBy: ">FIRING</span>").count - 1 == 10)
        #expect(email.html.contains("instance=db10:9100") && !email.html.contains("instance=db11:9100"))
        #expect(email.text.contains("- … and 3 more: https://tocsin.example.com/ui/incidents/42"))
        #expect(WebhookPayload(facts, entry: entry(), incident: incident(alerts: 13), alerts: alerts(13)).text.hasSuffix("- … and 3 more"))
        let message = SlackMessage(facts)
        #expect(message.blocks?.contains(.context("… and 3 more: <https://tocsin.example.com/ui/incidents/42|see them all>")) == true)
    }

    @Test("firing alerts come first; a single alert shows its own labels but its name and severity")
    func alertOrderAndLabels() throws {
        var resolved = alerts(2)
        resolved[0].status = .resolved
        resolved[0].endsAt = t0
        let facts = PageFacts(
            entry: entry(), incident: incident(alerts: 2), alerts: resolved, incidentURL: incidentURL, links: links, timeZone: berlin)
        #expect(facts.alerts.map(\.status) == [.firing, .resolved])
        #expect(inBerlin(facts.when(facts.alerts[1]), "resolved Fri 27 Nov 18:20"))
        let single = PageFacts(
            entry: entry(), incident: incident(alerts: 1), alerts: alerts(1), incidentURL: incidentURL, links: links)
        #expect(single.alerts.first?.labels.map(\.text) == ["cluster=eu2", "instance=db1:9100"])
        #expect(single.escalations.isEmpty, "no escalation given, none shown")
        #expect(single.firedAtText == "Fri 27 Nov 17:20 UTC", "UTC when the recipient named no zone")
    }

    @Test("escalation is shown while the incident is triggered, not once someone acknowledged")
    func escalationOnlyWhileTriggered() throws {
        var acknowledged = incident(alerts: 1)
        acknowledged.state = .acknowledged
        let facts = PageFacts(
            entry: entry(), incident: acknowledged, alerts: alerts(1), escalations: [escalation], incidentURL: incidentURL,
            links: links)
        #expect(facts.escalations.isEmpty)
        var exhausted = escalation
        exhausted.position = 3
        exhausted.nextDueAt = nil
        let done = PageFacts(
            entry: entry(), incident: incident(alerts: 1), alerts: alerts(1), escalations: [exhausted], incidentURL: incidentURL,
            links: links)
        #expect(done.escalations.map(\.line) == ["critical-immediate: every step run"])
    }

    @Test("Slack: Block Kit with a header, a section per alert and link buttons; text stays as the fallback")
    func slackBlocks() throws {
        let data = try TocsinJSON.encoder().encode(SlackMessage(facts(alerts: 2)))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let text = try #require(json["text"] as? String)
        #expect(text.hasPrefix("*[CRITICAL] #42 Nodes down in eu2*"))
        #expect(text.contains("<https://tocsin.example.com/api/v1/incidents/42/ack?token=a|Acknowledge>"))
        let blocks = try #require(json["blocks"] as? [[String: Any]])
        #expect(blocks.first?["type"] as? String == "header")
        let header = try #require(blocks.first?["text"] as? [String: Any])
        #expect(header["type"] as? String == "plain_text" && header["text"] as? String == "CRITICAL: Nodes down in eu2")
        let sections = blocks.filter { $0["type"] as? String == "section" }.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
        #expect(sections.count == 3, "the incident, then one per alert")
        #expect(sections[0].contains("step 2 of 3 next: bob"))
        #expect(sections[1].contains("instance=db1:9100") && sections[1].contains("db1 has not answered"))
        #expect(sections[1].contains("<https://runbooks.example.com/node-down|Runbook>"))
        let actions = try #require(blocks.first { $0["type"] as? String == "actions" })
        let buttons = try #require(actions["elements"] as? [[String: Any]])
        #expect(buttons.allSatisfy { $0["type"] as? String == "button" })
        #expect(buttons.compactMap { $0["url"] as? String } == [
            "https://tocsin.example.com/api/v1/incidents/42/ack?token=a",
            "https://tocsin.example.com/api/v1/incidents/42/resolve?token=b",
            "https://tocsin.example.com/ui/incidents/42",
        ])
        #expect(buttons.compactMap { ($0["text"] as? [String: Any])?["text"] as? String } == ["Acknowledge", "Resolve", "Open incident"])
        // And it reads back as the blocks it was written from.
        let decoded = try TocsinJSON.decoder().decode(SlackMessage.self, from: data)
        #expect(decoded == SlackMessage(facts(alerts: 2)))
    }

    @Test("Slack's length limits hold: header 150, button 75, section 3000 characters, cut outside entities")
    func slackLimits() throws {
        let long = String(repeating: "<&>", count: 2000)
        var alerts = self.alerts(1)
        alerts[0].annotations["description"] = long
        let facts = PageFacts(
            entry: entry(), incident: incident(title: String(repeating: "t", count: 400), alerts: 1), alerts: alerts,
            incidentURL: incidentURL, links: links)
        let data = try TocsinJSON.encoder().encode(SlackMessage(facts))
        let blocks = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["blocks"] as? [[String: Any]])
        let header = try #require((blocks.first?["text"] as? [String: Any])?["text"] as? String)
        #expect(header.count <= SlackBlock.headerLimit)
        for section in blocks.filter({ $0["type"] as? String == "section" }) {
            let text = try #require((section["text"] as? [String: Any])?["text"] as? String)
            #expect(text.count <= SlackBlock.textLimit)
            #expect(!text.contains("<&") && !text.hasSuffix("&…") && !text.hasSuffix("&l…"), "no raw or broken entity")
        }
        let cut = try JSONSerialization.jsonObject(
            with: try TocsinJSON.encoder().encode(SlackButton(text: String(repeating: "b", count: 200), url: "https://x", actionID: "a")))
        #expect((((cut as? [String: Any])?["text"] as? [String: Any])?["text"] as? String)?.count == SlackButton.textLimit)
    }

    @Test("the webhook's text says the facts briefly, and `escalations` says who is next and when")
    func webhookText() throws {
        let facts = self.facts(alerts: 2)
        let payload = WebhookPayload(facts, entry: entry(), incident: incident(alerts: 2), alerts: alerts(2))
        #expect(payload.text.hasPrefix("Incident #42 · triggered · critical · 2 of 2 alerts firing\n"))
        #expect(payload.text.contains("Escalation: critical-immediate: step 2 of 3 next: bob at "))
        #expect(payload.text.hasSuffix(
            "Alerts:\n- [firing] Node down (instance=db1:9100): db1 has not answered for 5 minutes\n"
                + "- [firing] Node down (instance=db2:9100): db2 has not answered for 5 minutes"))
        let json = try #require(try JSONSerialization.jsonObject(with: try TocsinJSON.encoder().encode(payload)) as? [String: Any])
        let escalations = try #require(json["escalations"] as? [[String: Any]])
        #expect(escalations.count == 1)
        #expect(escalations.first?["policy"] as? String == "critical-immediate")
        #expect(escalations.first?["summary"] as? String == "step 2 of 3 next")
        #expect(escalations.first?["step_count"] as? Int == 3 && escalations.first?["next_step"] as? Int == 2)
        #expect(escalations.first?["next_targets"] as? [String] == ["bob"])
        #expect(escalations.first?["next_due_at"] as? String == RFC3339.format(t0.addingTimeInterval(300)))
        #expect((json["incident"] as? [String: Any])?["url"] as? String == incidentURL)
        // Without escalations (a notice, or an acknowledged incident) the field is left out.
        let plain = WebhookPayload(entry: entry(), incident: incident(alerts: 2), alerts: alerts(2), incidentURL: incidentURL, links: links)
        let plainJSON = try JSONSerialization.jsonObject(with: try TocsinJSON.encoder().encode(plain)) as? [String: Any]
        #expect(plainJSON?["escalations"] == nil)
        // Receivers (drills among them) read the payload back.
        #expect(try TocsinJSON.decoder().decode(WebhookPayload.self, from: try TocsinJSON.encoder().encode(payload)) == payload)
    }

    @Test("hostile alert text is inert in every format: HTML, Slack mrkdwn, links and mail headers")
    func hostileText() throws {
        let bcc = "Disk full\r\nBcc: evil@example.com"
        let hostile = IncidentAlert(
            incidentID: 42,
            alert: Alert(
                status: .firing, labels: ["alertname": "Evil", "team": #""><script>alert(2)</script>"#],
                annotations: [
                    "summary": "<img src=x onerror=alert(1)>", "description": "*bold* <!channel> <http://evil|click>",
                    "runbook_url": "javascript:alert(3)", "dashboardURL": "JavaScript:alert(4)",
                    "panelURL": "https://grafana.example.com/d/x\" onmouseover=\"alert(5)",
                ],
                startsAt: t0, generatorURL: " javascript:alert(6)"),
            firstSeenAt: t0, lastSeenAt: t0)
        let subject = "[CRITICAL] #42 " + bcc
        let facts = PageFacts(
            entry: entry(subject: subject), incident: incident(title: bcc, alerts: 1), alerts: [hostile], escalations: [escalation],
            incidentURL: incidentURL, links: links)
        #expect(facts.alerts.first?.links.isEmpty == true, "no javascript: or attribute-breaking URL becomes a link")

        let email = EmailMessage.notification(facts, entry: entry(subject: subject), from: "tocsin@example.com", date: t0)
        let html = email.html
        #expect(!html.contains("<img") && html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("<script") && html.contains("team=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
        #expect(!html.contains("<!channel>") && html.contains("*bold* &lt;!channel&gt; &lt;http://evil|click&gt;"))
        #expect(!html.lowercased().contains("javascript:") && !html.contains("onmouseover"))
        let hrefs = html.components(separatedBy: "href=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(hrefs.allSatisfy { $0.hasPrefix("https://tocsin.example.com/") }, "\(hrefs)")

        // The subject cannot add a header: its line break is encoded, never written.
        let raw = email.rendered(randomToken: "r")
        let head = try #require(raw.components(separatedBy: "\r\n\r\n").first)
        let headers = head.components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.lowercased().hasPrefix("bcc:") }, "\(headers)")
        #expect(headers.allSatisfy { $0.first.map { $0 == " " || $0.isLetter } ?? false }, "each line a header or a fold")
        #expect(head.contains("Subject: =?UTF-8?B?"))

        let slack = SlackMessage(facts)
        let body = String(decoding: try TocsinJSON.encoder().encode(slack), as: UTF8.self)
        #expect(body.contains("&lt;!channel&gt;") && !body.contains("<!channel>"))
        #expect(!body.contains("<http://evil|click>") && body.contains("&lt;http://evil|click&gt;"))
        #expect(!body.contains("<img") && !body.lowercased().contains("javascript:"))
        let buttons = slack.blocks?.compactMap { block -> [SlackButton]? in
            guard case .actions(let buttons) = block else { return nil }
            return buttons
        }.flatMap { $0 } ?? []
        #expect(buttons.count == 3 && buttons.allSatisfy { $0.url.hasPrefix("https://tocsin.example.com/") })
        #expect(slack.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test("HTML escaping covers both quote styles")
    func escapeHTML() {
        #expect(EmailMessage.escapeHTML(#"<a href='x' title="y">&"#) == "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;")
    }

    @Test("only http(s) URLs without spaces, quotes or angle brackets become links")
    func webURLs() {
        for url in ["https://example.com/x?a=1&b=2", "http://example.com", "HTTPS://EXAMPLE.COM/a|b"] {
            #expect(AlertListing.isWebURL(url), "\(url)")
        }
        for url in [
            "javascript:alert(1)", " https://example.com", "https://", "ftp://example.com", "https://example.com/\"x",
            "https://example.com/<x>", "https://example.com/a b", "https://example.com/\nx", "data:text/html,x",
        ] {
            #expect(!AlertListing.isWebURL(url), "\(url)")
        }
    }

    @Test("a person's time zone reaches their pages; channels and unknown zones read UTC")
    func timeZones() {
        let configuration = TocsinConfiguration(
            people: [
                Person(name: "alice", email: "alice@example.com", timezone: "Europe/Berlin"),
                Person(name: "bob", email: "bob@example.com", timezone: "Mars/Olympus_Mons"),
            ],
            channels: [Channel(name: "ops", emails: ["ops@example.com"])])
        #expect(configuration.timeZone(forTarget: "person:alice").identifier == "Europe/Berlin")
        #expect(configuration.timeZone(forTarget: "person:bob") == ReadableTime.utc)
        #expect(configuration.timeZone(forTarget: "channel:ops") == ReadableTime.utc)
        #expect(configuration.timeZone(forTarget: "email:x@example.com") == ReadableTime.utc)
    }
}
