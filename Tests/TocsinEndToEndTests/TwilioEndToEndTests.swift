import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Texts and calls through a local server that speaks Twilio's API and signs its requests back
/// like Twilio (`Tests/Support/twilio_fake.py`), with a person's notification rules: the webhook
/// and email at once, a text at +2s, a call at +10m.
@Suite("Texts and calls through Twilio's API, end to end")
struct TwilioEndToEndTests {
    static let account = "AC" + String(repeating: "0123456789abcdef", count: 2)
    static let authToken = "test-twilio-auth-token"
    static let alicePhone = "+441632960001"
    static let carolPhone = "+441632960003"
    static let badPhone = "+441632960009"

    /// alice: webhook and email at once, a text at 2s, a call at 10m (never due while a test runs,
    /// however slowly the shared pool lets it go on); carol: a call at once; dave a text to a
    /// number Twilio refuses.
    static func policy(receiver: Int) -> String {
        """
        people:
          - name: alice
            email: alice@example.com
            webhook: http://127.0.0.1:\(receiver)/alice
            phone: "\(alicePhone)"
            notify:
              - {after: 0s, via: [webhook, email]}
              - {after: 2s, via: sms}
              - {after: 10m, via: voice}
          - name: carol
            phone: "\(carolPhone)"
            notify:
              - {after: 0s, via: voice}
          - name: dave
            phone: "\(badPhone)"
        routes:
          - matchers: ['alertname="CallCarol"']
            policy: call-carol
          - matchers: ['alertname=~"TextDave.*"']
            policy: text-dave
          - policy: page-alice
        policies:
          - name: page-alice
            steps: [{after: 0m, notify: [person: alice]}]
          - name: call-carol
            steps: [{after: 0m, notify: [person: carol]}]
          - name: text-dave
            steps: [{after: 0m, notify: [person: dave]}]
        """
    }

    /// A running world: the receiver, the SMTP server, the fake Twilio and Tocsin pointed at it.
    struct World {
        let directory: TemporaryDirectory
        let receiver: PeerProcess
        let smtp: PeerProcess
        let twilio: PeerProcess
        private(set) var server: ServerProcess
        let db: String
        let base: String
        private let arguments: [String]

        init(twilioArguments: [String] = [], serverArguments: [String] = []) throws {
            directory = try TemporaryDirectory("tocsin-twilio")
            receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("hooks.jsonl"))
            smtp = try PeerProcess(script: "smtp_sink.py", arguments: [], logPath: directory.path("mail.jsonl"))
            twilio = try PeerProcess(
                script: "twilio_fake.py",
                arguments: ["--account-sid", TwilioEndToEndTests.account, "--auth-token", TwilioEndToEndTests.authToken,
                            "--status-delay", "0.1"] + twilioArguments,
                logPath: directory.path("twilio.jsonl"))
            try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
            try TwilioEndToEndTests.policy(receiver: receiver.port)
                .write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
            db = directory.path("tocsin.sqlite")
            let port = try freeLoopbackPort()
            base = "http://127.0.0.1:\(port)"
            arguments = [
                "--db", db, "--config", directory.path("policies"), "--port", "\(port)", "--public-url", base,
                "--smtp-url", "smtp://127.0.0.1:\(smtp.port)", "--twilio-account-sid", TwilioEndToEndTests.account,
                "--twilio-from", "+15005550006", "--twilio-api-url", "http://127.0.0.1:\(twilio.port)",
            ] + serverArguments
            server = try Self.start(arguments, log: directory.path("serve.log"))
        }

        static func start(_ arguments: [String], log: String) throws -> ServerProcess {
            try ServerProcess(
                arguments: arguments, logPath: log, environment: ["TOCSIN_TWILIO_AUTH_TOKEN": TwilioEndToEndTests.authToken])
        }

        /// Kills Tocsin with SIGKILL and starts it again on the same database and port.
        mutating func killAndRestart() throws {
            server.stop(signal: SIGKILL)
            server = try Self.start(arguments, log: directory.path("serve-2.log"))
        }

        func stop() {
            server.stop(signal: SIGKILL)
            for peer in [receiver, smtp, twilio] { peer.stop() }
            directory.remove()
        }

        /// Fires one critical alert named `name`; returns its incident's id.
        func fire(_ name: String) throws -> Int64 {
            let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"\#(name)","alerts":[{"status":"firing","labels":{"alertname":"\#(name)","severity":"critical"},"annotations":{"summary":"\#(name) on db1"}}]}"#
            let response = try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: base + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: Array(body.utf8)))
            #expect(response.status == 200)
            let answer = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            return (answer?["incident_ids"] as? [NSNumber])?.first?.int64Value ?? 0
        }

        /// The fake's events of `kind`, waiting (polling, bounded) until `count` have come.
        func events(_ kind: String, count: Int = 1, seconds: Double = 30) -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(seconds)
            var found = twilio.records().filter { $0["kind"] as? String == kind }
            while found.count < count, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                found = twilio.records().filter { $0["kind"] as? String == kind }
            }
            return found
        }

        /// Has the fake send Tocsin an inbound text (signed, or badly signed); Tocsin's answer.
        func inbound(_ text: String, from: String, badSignature: Bool = false) throws -> (status: Int, body: String) {
            let order: [String: Any] = [
                "url": base + "/twilio/sms", "from": from, "to": "+15005550006", "body": text, "bad_signature": badSignature,
            ]
            let response = try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: "http://127.0.0.1:\(twilio.port)/_test/inbound", headers: [("Content-Type", "application/json")],
                body: Array(try JSONSerialization.data(withJSONObject: order))))
            let answer = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
            return ((answer["status"] as? NSNumber)?.intValue ?? 0, answer["body"] as? String ?? "")
        }

        func store() throws -> TocsinStore { try TocsinStore(path: db) }
    }

    @Test("webhook and email at once, a text at +2s, a reply of 1A acknowledges, and the call at +10m never comes")
    func textReplyAcknowledges() async throws {
        let world = try World()
        defer { world.stop() }
        let id = try world.fire("DiskFull")
        #expect(id == 1)
        #expect(world.receiver.waitForRecords(1, seconds: 30).count == 1, "alice's webhook")
        #expect(world.smtp.waitForRecords(1, seconds: 30).count == 1, "alice's email")

        let text = try #require(world.events("message").first)
        #expect(text["to"] as? String == Self.alicePhone && text["from"] as? String == "+15005550006")
        #expect(text["body"] as? String == "Tocsin #1 CRITICAL DiskFull. Reply 1A to ack, 1R to resolve")
        let sentAfter = (text["time"] as? Double ?? 0) - ((world.receiver.records().first?["time"] as? Double) ?? 0)
        #expect(sentAfter >= 1.5, "the text waits for its rule: \(sentAfter) s after the webhook")
        // Twilio's status callbacks (sent, delivered), signed, are taken.
        let callbacks = world.events("status_callback", count: 2)
        #expect(callbacks.map { $0["status"] as? Int } == [204, 204], "\(callbacks)")

        // Badly signed, or from a number Tocsin does not know, a reply changes nothing.
        #expect(try world.inbound("1A", from: Self.alicePhone, badSignature: true).status == 403)
        let stranger = try world.inbound("1A", from: "+441632960999")
        #expect(stranger.status == 200 && stranger.body.contains("does not know this number"), "\(stranger)")
        #expect(try await world.store().incident(id: 1).incident.state == .triggered)

        let reply = try world.inbound("1a", from: Self.alicePhone)
        #expect(reply.status == 200 && reply.body.contains("<Message>Acknowledged #1"), "\(reply)")
        let detail = try await world.store().incident(id: 1)
        #expect(detail.incident.state == .acknowledged && detail.incident.acknowledgedBy == "alice")
        #expect(detail.timeline.contains { $0.kind == .acknowledged && $0.channel == "sms" && $0.actor == "alice" })
        // The call at +10m was cancelled with the acknowledgement: it will never be made.
        let call = try #require(detail.notifications.first { $0.medium == .voice })
        #expect(call.state == .cancelled)
        #expect(world.events("call", seconds: 0).isEmpty)
        #expect(try world.inbound("help", from: Self.alicePhone).body.contains("e.g. 42A"))
        #expect(try world.inbound("99R", from: Self.alicePhone).body.contains("Incident #99 does not exist"))
    }

    @Test("a later rule survives SIGKILL: killed after the webhook page, restarted, the text still goes out at +2s")
    func ruleSurvivesKill() async throws {
        var world = try World()
        defer { world.stop() }
        #expect(try world.fire("DiskFull") == 1)
        #expect(world.receiver.waitForRecords(1, seconds: 30).count == 1)
        #expect(world.events("message", seconds: 0).isEmpty, "the text is not due yet")
        try world.killAndRestart()
        let text = try #require(world.events("message").first)
        #expect(text["to"] as? String == Self.alicePhone)
        #expect(world.events("message", seconds: 0).count == 1, "sent once")
    }

    @Test("a call reads the page and pressing 1 acknowledges as the person called; a refused number is dead with Twilio's code")
    func callAnsweredWithOne() async throws {
        let world = try World(twilioArguments: ["--press", "\(Self.carolPhone):1", "--fail", "\(Self.badPhone):21211"])
        defer { world.stop() }
        #expect(try world.fire("CallCarol") == 1)
        let call = try #require(world.events("call").first)
        #expect(call["to"] as? String == Self.carolPhone)
        #expect((call["url"] as? String)?.hasPrefix(world.base + "/twilio/voice/1/") == true)
        let voice = try #require(world.events("voice_url").first)
        #expect(voice["status"] as? Int == 200)
        let twiml = voice["twiml"] as? String ?? ""
        #expect(twiml.contains("<Gather") && twiml.contains("incident 1: CallCarol") && twiml.contains("Press 1 to acknowledge"), "\(twiml)")
        let gather = try #require(world.events("gather").first)
        #expect((gather["twiml"] as? String)?.contains("Acknowledged") == true, "\(gather)")
        let detail = try await world.store().incident(id: 1)
        #expect(detail.incident.state == .acknowledged && detail.incident.acknowledgedBy == "carol")
        #expect(detail.timeline.contains { $0.kind == .acknowledged && $0.channel == "voice" })

        // Twilio refuses dave's number: the text is dead at once, with Twilio's code.
        #expect(try world.fire("TextDave") == 2)
        let store = try world.store()
        var dead: OutboxEntry?
        let deadline = Date().addingTimeInterval(30)
        while dead == nil, Date() < deadline {
            dead = try await store.notifications(incidentID: 2).first { $0.state == .dead }
            if dead == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let queued = try await store.notifications(incidentID: 2).map { "\($0.medium) \($0.state) \($0.lastError ?? "")" }
        let refused = try #require(dead, "dave's text: \(queued); Twilio saw \(world.events("message", seconds: 0)); log: \(world.server.log().suffix(2000))")
        #expect(refused.medium == .sms && refused.attempts == 1)
        #expect(refused.lastError?.contains("Twilio 21211") == true, "\(refused.lastError ?? "")")
    }

    @Test("past --phone-rate-limit texts an hour, one text says so and the rest are held back, counted on /metrics")
    func phoneRateLimit() async throws {
        let world = try World(serverArguments: ["--phone-rate-limit", "2"])
        defer { world.stop() }
        // dave has a phone and no rules: every page texts him at once.
        for n in 1...4 {
            #expect(try world.fire("TextDave\(n)") == Int64(n))
            // One at a time, so that the count is the one the limit sees.
            _ = world.events("message", count: min(n, 3))
            if n == 4 {
                let store = try world.store()
                let deadline = Date().addingTimeInterval(30)
                while try await store.notifications(incidentID: 4).first?.state != .dead, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        let texts = world.events("message", count: 3)
        #expect(texts.count == 3, "two pages and the notice; the fourth is held: \(texts.map { $0["body"] ?? "" })")
        #expect((texts.last?["body"] as? String)?.hasPrefix("Tocsin: texts paused after 2 texts and calls this hour") == true)
        // The third page's text was held back with the notice sent in its place; the fourth is held back.
        let noticed = try #require(try await world.store().notifications(incidentID: 3).first)
        #expect(noticed.state == .dead && noticed.lastError == PhoneText.rateNoticeSentReason, "\(noticed)")
        let held = try #require(try await world.store().notifications(incidentID: 4).first)
        #expect(held.state == .dead && held.lastError?.contains("--phone-rate-limit 2") == true, "\(held)")
        let metrics = try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: world.base + "/metrics"))
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains(#"tocsin_phone_rate_limited_total{result="held"} 1"#), "\(text.split(separator: "\n").filter { $0.contains("phone") })")
        #expect(text.contains(#"tocsin_phone_rate_limited_total{result="notice"} 1"#))
    }

    @Test("pages to one number at once, however the workers and their lanes interleave: exactly --phone-rate-limit texts, and one notice")
    func phoneRateLimitUnderABurst() async throws {
        let world = try World(serverArguments: ["--phone-rate-limit", "2"])
        defer { world.stop() }
        for n in 1...6 {
            #expect(try world.fire("TextDaveBurst\(n)") == Int64(n))
        }
        let store = try world.store()
        var pages: [OutboxEntry] = []
        let deadline = Date().addingTimeInterval(30)
        repeat {
            try await Task.sleep(for: .milliseconds(50))
            pages = try await (1...6).asyncCompactMap { try await store.notifications(incidentID: Int64($0)).first }
        } while (pages.count < 6 || pages.contains { [.pending, .sending, .retry].contains($0.state) }) && Date() < deadline
        #expect(pages.map(\.state).filter { $0 == .sent }.count == 2, "\(pages.map(\.state))")
        #expect(pages.filter { $0.state == .dead && $0.lastError == PhoneText.rateNoticeSentReason }.count == 1)
        #expect(pages.filter { $0.state == .dead && $0.lastError?.contains("--phone-rate-limit 2") == true }.count == 3)
        let texts = world.events("message", count: 4, seconds: 2)
        #expect(texts.count == 3, "two pages and the notice: \(texts.map { $0["body"] ?? "" })")
    }

    @Test("Twilio's 429 is retried with backoff; the text goes out on the next attempt")
    func throttledIsRetried() async throws {
        let world = try World(twilioArguments: ["--fail", "\(Self.badPhone):429:1"])
        defer { world.stop() }
        #expect(try world.fire("TextDave") == 1)
        let requests = world.events("message", count: 2)
        #expect(requests.map { $0["http_status"] as? Int } == [429, 201], "\(requests)")
        let store = try world.store()
        var text: OutboxEntry?
        let deadline = Date().addingTimeInterval(30)
        while text?.state != .sent, Date() < deadline {
            text = try await store.notifications(incidentID: 1).first { $0.medium == .sms }
            if text?.state != .sent { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(text?.state == .sent && text?.attempts == 2, "\(String(describing: text))")
    }
}

extension ClosedRange where Bound == Int {
    /// The non-nil results of `transform`, in order, one after another.
    fileprivate func asyncCompactMap<T>(_ transform: (Int) async throws -> T?) async rethrows -> [T] {
        var values: [T] = []
        for element in self {
            if let value = try await transform(element) { values.append(value) }
        }
        return values
    }
}
