import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinTestSupport

/// Pages really leave Tocsin: the real binary, a real webhook receiver and a real SMTP server
/// (aiosmtpd), all on 127.0.0.1. What the outbox decides (holding, retrying, giving up, sending
/// again after a crash, links) runs on a SQLite file and on PostgreSQL; what only renders a page
/// runs on SQLite.
@Suite("Delivery, end to end", .serialized)
struct DeliveryEndToEndTests {
    /// A temporary world: a policy directory, a database, a user token, and helpers.
    final class World {
        let directory: TemporaryDirectory
        let db: String
        let token: String
        var server: ServerProcess?

        /// A world on `database`, or on a SQLite file of its own.
        init(policy: String, database: TestDatabase? = nil) throws {
            directory = try TemporaryDirectory("tocsin-delivery")
            db = database?.argument ?? directory.path("tocsin.sqlite")
            try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
            try policy.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
            let added = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
            token = added.stdout.split(separator: "\n").last.map(String.init) ?? ""
        }

        @discardableResult
        func startServer(_ extra: [String] = [], environment: [String: String] = [:], log: String = "serve.log") throws -> ServerProcess {
            let server = try ServerProcess(
                arguments: ["--db", db, "--config", directory.path("policies")] + extra, logPath: directory.path(log),
                environment: environment)
            self.server = server
            return server
        }

        func fire(_ fixture: String = "webhook-01-firing-critical-single") throws {
            let server = try #require(self.server)
            let response = try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: Array(try Fixtures.data(fixture))))
            #expect(response.status == 200)
        }

        func cli(_ arguments: [String]) throws -> TocsinBinary.Outcome {
            try TocsinBinary.run(arguments, environment: ["TOCSIN_URL": server?.url ?? "", "TOCSIN_TOKEN": token])
        }

        /// `tocsin show 1 --json`.
        func shown() throws -> [String: Any] {
            let outcome = try cli(["show", "1", "--json"])
            return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] ?? [:]
        }

        /// Replaces the policy directory's one file.
        func writePolicy(_ text: String) throws {
            try text.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        }

        /// Polls `tocsin show 1` until the incident's first notification is in `state`.
        func firstNotificationReaches(_ state: String, seconds: Double = 5) throws -> Bool {
            try eventually(within: seconds) { (try shown()["notifications"] as? [[String: Any]])?.first?["state"] as? String == state }
        }

        deinit {
            server?.stop(signal: SIGKILL)
            directory.remove()
        }
    }

    /// Pages alice by email at once.
    static let emailPolicy = TestPolicies.pageAlice(["email: alice@example.com"])

    static func webhookPolicy(port: Int, extra: String = "") -> String {
        TestPolicies.pageAlice(["webhook: http://127.0.0.1:\(port)/alice"] + (extra.isEmpty ? [] : [extra]))
    }

    @Test("a page reaches the webhook signed, with the documented payload and headers", arguments: TestBackend.allCases)
    func signedWebhook(backend: TestBackend) async throws {
        try await backend.withDatabase { try signedWebhook($0) }
    }

    func signedWebhook(_ database: TestDatabase) throws {
        let world = try World(policy: Self.webhookPolicy(port: 0, extra: "secrets_env: [HOOK_SECRET_NEW, HOOK_SECRET_OLD]"), database: database)
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try world.writePolicy(Self.webhookPolicy(port: receiver.port, extra: "secrets_env: [HOOK_SECRET_NEW, HOOK_SECRET_OLD]"))
        try world.startServer(environment: ["HOOK_SECRET_NEW": "new-secret", "HOOK_SECRET_OLD": "old-secret"])
        try world.fire()
        let records = receiver.waitForRecords(1, seconds: 10)
        let request = try #require(records.first)
        let headers = request["headers"] as? [String: String] ?? [:]
        let body = Array((request["body"] as? String ?? "").utf8)
        #expect(headers["Content-Type"] == "application/json")
        #expect(headers["User-Agent"] == "Tocsin/0.1.0")
        #expect(headers["Idempotency-Key"]
            == "incident-1/page/e0/p0/s0/person:alice/" + Contact.webhook("http://127.0.0.1:\(receiver.port)/alice").keyComponent)
        let timestamp = try #require(headers["X-Tocsin-Timestamp"])
        let signature = try #require(headers["X-Tocsin-Signature"])
        #expect(WebhookSignature.verify(header: signature, timestamp: timestamp, body: body, secret: "new-secret"))
        #expect(WebhookSignature.verify(header: signature, timestamp: timestamp, body: body, secret: "old-secret"))
        #expect(!WebhookSignature.verify(header: signature, timestamp: timestamp, body: body, secret: "wrong"))
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(payload["version"] as? String == "1" && payload["event"] as? String == "triggered")
        #expect((payload["incident"] as? [String: Any])?["title"] as? String == "Disk almost full on db1")
        // For people the console's page; for programs the API's.
        // (`--port 0` without `--public-url`: the links name the port the server took.)
        #expect((payload["incident"] as? [String: Any])?["url"] as? String == (world.server?.url ?? "?") + "/ui/incidents/1")
        #expect(((payload["incident"] as? [String: Any])?["api_url"] as? String)?.hasSuffix("/api/v1/incidents/1") == true)
        #expect(((payload["alerts"] as? [[String: Any]])?.first?["labels"] as? [String: String])?["instance"] == "db1:9100")
        let links = payload["links"] as? [String: String] ?? [:]
        #expect(links["ack"]?.contains("/api/v1/incidents/1/ack?token=") == true)
        // The one-step policy has run its step: nobody is paged after alice.
        let escalations = payload["escalations"] as? [[String: Any]] ?? []
        #expect(escalations.first?["policy"] as? String == "page" && escalations.first?["summary"] as? String == "every step run",
                "\(escalations)")
        #expect((payload["text"] as? String)?.contains("Escalation: page: every step run") == true)
        #expect(try world.firstNotificationReaches("sent"))
    }

    /// A server paging alice's webhook at a real receiver at once and again at 3s, with an alert
    /// fired (at the time returned) and the second step prepared (2 s before its due time).
    func fireWithSecondStepPrepared(on database: TestDatabase) throws -> (world: World, receiver: PeerProcess, fired: Date) {
        let world = try World(policy: Self.webhookPolicy(port: 0), database: database)
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: world.directory.path("hooks.jsonl"))
        try world.writePolicy(TestPolicies.pageAlice(
            ["webhook: http://127.0.0.1:\(receiver.port)/alice"],
            steps: ["{after: 0s, notify: [person: alice]}", "{after: 3s, notify: [person: alice]}"]))
        try world.startServer()
        let fired = Date()
        try world.fire()
        #expect(try eventually(within: 3) { (try world.shown()["notifications"] as? [[String: Any]])?.count == 2 },
                "the second step is prepared: queued and pending, not yet sent")
        return (world, receiver, fired)
    }

    @Test("a step prepared ahead waits in the outbox and reaches the receiver at its due time, not before", arguments: TestBackend.allCases)
    func preparedStepHeldUntilDue(backend: TestBackend) async throws {
        try await backend.withDatabase { try preparedStepHeldUntilDue($0) }
    }

    func preparedStepHeldUntilDue(_ database: TestDatabase) throws {
        let (world, receiver, firedAt) = try fireWithSecondStepPrepared(on: database)
        defer { receiver.stop() }
        let fired = firedAt.timeIntervalSince1970
        let notifications = try world.shown()["notifications"] as? [[String: Any]] ?? []
        let text = try world.cli(["show", "1"]).stdout
        #expect(Date().timeIntervalSince1970 < fired + 3, "prepared before its due time")
        #expect(text.contains("pending  escalated") && text.contains("due 20"), "`tocsin show` says when it goes out:\n\(text)")
        #expect(notifications.last?["state"] as? String == "pending")
        #expect(receiver.records().count <= 1, "only the first page has gone out")

        let records = receiver.waitForRecords(2, seconds: 10)
        try #require(records.count == 2)
        let arrived = try #require(records.last?["time"] as? Double)
        #expect(arrived >= fired + 3, "not before its due time")
        #expect(arrived < fired + 6, "and when it falls due, not at the next unrelated wake-up")
    }

    @Test("`tocsin ack` before a prepared step's due time: its page never leaves; the ack notice does", arguments: TestBackend.allCases)
    func acknowledgedBeforePreparedStepIsDue(backend: TestBackend) async throws {
        try await backend.withDatabase { try acknowledgedBeforePreparedStepIsDue($0) }
    }

    func acknowledgedBeforePreparedStepIsDue(_ database: TestDatabase) throws {
        let (world, receiver, fired) = try fireWithSecondStepPrepared(on: database)
        defer { receiver.stop() }
        let ack = try world.cli(["ack", "1"])
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(Date() < fired.addingTimeInterval(3), "acknowledged before the step's due time")

        _ = receiver.waitForRecords(3, seconds: fired.addingTimeInterval(5).timeIntervalSinceNow)
        let events = receiver.records().compactMap { record -> String? in
            let body = Data((record["body"] as? String ?? "").utf8)
            return (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["event"] as? String
        }
        #expect(events == ["triggered", "acknowledged"])
        let shown = try world.shown()
        #expect((shown["notifications"] as? [[String: Any]])?.compactMap { $0["event"] as? String } == ["triggered", "acknowledged"])
    }

    @Test("format: slack posts Slack-compatible JSON with the links")
    func slackFormat() throws {
        let world = try World(policy: "")
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try world.writePolicy(Self.webhookPolicy(port: receiver.port, extra: "format: slack"))
        try world.startServer()
        try world.fire()
        let body = (receiver.waitForRecords(1, seconds: 10).first?["body"] as? String) ?? "{}"
        let message = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(Set(message.keys) == ["text", "blocks"])
        let text = message["text"] as? String ?? ""
        #expect(text.hasPrefix("*[CRITICAL] #1 Disk almost full on db1*"))
        #expect(text.contains("|Acknowledge>") && text.contains("/api/v1/incidents/1/ack?token="))
        // Block Kit: link buttons to acknowledge, resolve and open the incident.
        let blocks = message["blocks"] as? [[String: Any]] ?? []
        #expect(blocks.first?["type"] as? String == "header")
        let actions = blocks.first(where: { $0["type"] as? String == "actions" })
        let buttons = actions?["elements"] as? [[String: Any]] ?? []
        let urls = buttons.compactMap { $0["url"] as? String }
        #expect(urls.count == 3, "\(blocks)")
        #expect(urls.first?.contains("/api/v1/incidents/1/ack?token=") == true)
        #expect(urls.dropFirst().first?.contains("/api/v1/incidents/1/resolve?token=") == true)
        #expect(urls.last?.hasSuffix("/ui/incidents/1") == true)
    }

    @Test("503, 503, then 200: one delivery, three attempts recorded", arguments: TestBackend.allCases)
    func retriesThenSucceeds(backend: TestBackend) async throws {
        try await backend.withDatabase { try retriesThenSucceeds($0) }
    }

    func retriesThenSucceeds(_ database: TestDatabase) throws {
        let world = try World(policy: "", database: database)
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: ["--script", "503,503,200"], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try world.writePolicy(Self.webhookPolicy(port: receiver.port))
        try world.startServer()
        try world.fire()
        let records = receiver.waitForRecords(3, seconds: 15)
        #expect(records.count == 3)
        let keys = Set(records.compactMap { ($0["headers"] as? [String: String])?["Idempotency-Key"] })
        #expect(keys.count == 1, "every retry carries the same Idempotency-Key")
        #expect(try world.firstNotificationReaches("sent"))
        let attempts = try world.shown()["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.map { $0["status_code"] as? Int } == [503, 503, 200])
        #expect(attempts.map { $0["outcome"] as? String } == ["retry", "retry", "sent"])
        let show = try world.cli(["show", "1"])
        #expect(show.stdout.contains("attempt 2: retry, status 503"))
    }

    @Test("400 is dead at once with its reason; `deliveries retry` re-queues it", arguments: TestBackend.allCases)
    func deadThenRetried(backend: TestBackend) async throws {
        try await backend.withDatabase { try deadThenRetried($0) }
    }

    func deadThenRetried(_ database: TestDatabase) throws {
        let world = try World(policy: "", database: database)
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: ["--script", "400,200"], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try world.writePolicy(Self.webhookPolicy(port: receiver.port))
        try world.startServer()
        try world.fire()
        receiver.waitForRecords(1, seconds: 10)
        #expect(try eventually(within: 5) { try world.cli(["deliveries", "--state", "dead"]).stdout.contains("HTTP 400") })
        Thread.sleep(forTimeInterval: 1.5)
        #expect(receiver.records().count == 1, "a 400 is not retried")
        let listing = try world.cli(["deliveries", "--state", "dead", "--json"])
        let dead = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        let id = try #require((dead?["deliveries"] as? [[String: Any]])?.first?["id"] as? Int)
        let retried = try world.cli(["deliveries", "retry", "\(id)"])
        #expect(retried.status == 0 && retried.stdout.contains("re-queued"))
        #expect(receiver.waitForRecords(2, seconds: 10).count == 2)
        #expect(try eventually(within: 5) { try world.cli(["deliveries", "--state", "sent"]).stdout.contains("person:alice") })
        let again = try world.cli(["deliveries", "retry", "\(id)"])
        #expect(again.status == 6 && again.stderr.contains("only dead deliveries"))
    }

    @Test("the receiver is down for a while, then up: the page is delivered after recovery", arguments: TestBackend.allCases)
    func receiverDownThenUp(backend: TestBackend) async throws {
        try await backend.withDatabase { try receiverDownThenUp($0) }
    }

    func receiverDownThenUp(_ database: TestDatabase) throws {
        let port = try freeLoopbackPort()
        let world = try World(policy: Self.webhookPolicy(port: port), database: database)
        try world.startServer()
        try world.fire()
        Thread.sleep(forTimeInterval: 2.5)  // attempts fail: connection refused
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--port", "\(port)"], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        #expect(receiver.waitForRecords(1, seconds: 15).count == 1)
        #expect(try world.firstNotificationReaches("sent"))
        let attempts = try world.shown()["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.count >= 2)
        #expect((attempts.first?["error"] as? String)?.contains("onnect") == true)
    }

    @Test("SIGKILL while a webhook is being sent: delivered after restart, with the same Idempotency-Key", arguments: TestBackend.allCases)
    func killWhileSending(backend: TestBackend) async throws {
        try await backend.withDatabase { try killWhileSending($0) }
    }

    func killWhileSending(_ database: TestDatabase) throws {
        let port = try freeLoopbackPort()
        let world = try World(policy: Self.webhookPolicy(port: port), database: database)
        let hanging = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--port", "\(port)", "--hang-first", "30"],
            logPath: world.directory.path("hooks-1.jsonl"))
        try world.startServer(TestDatabase.shortLease)
        try world.fire()
        let first = hanging.waitForRecords(1, seconds: 10)
        #expect(first.count == 1)
        world.server?.stop(signal: SIGKILL)  // Tocsin dies while the row is `sending`
        hanging.stop(signal: SIGKILL)
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--port", "\(port)"], logPath: world.directory.path("hooks-2.jsonl"))
        defer { receiver.stop() }
        try world.startServer(TestDatabase.shortLease, log: "serve-2.log")
        let second = receiver.waitForRecords(1, seconds: 15)
        #expect(second.count == 1)
        let key = { (record: [String: Any]?) in (record?["headers"] as? [String: String])?["Idempotency-Key"] }
        #expect(key(first.first) != nil && key(first.first) == key(second.first))
        #expect(try world.firstNotificationReaches("sent"))
    }

    @Test("a signed ack link: GET only asks, POST acknowledges as the person via webhook-link; tampered links change nothing", arguments: TestBackend.allCases)
    func ackLink(backend: TestBackend) async throws {
        try await backend.withDatabase { try ackLink($0) }
    }

    func ackLink(_ database: TestDatabase) throws {
        let world = try World(policy: "", database: database)
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try world.writePolicy(Self.webhookPolicy(port: receiver.port))
        let server = try world.startServer()
        try world.fire()
        let body = (receiver.waitForRecords(1, seconds: 10).first?["body"] as? String) ?? "{}"
        let payload = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let link = try #require((payload?["links"] as? [String: String])?["ack"])
        let path = String(link[try #require(link.range(of: "/api/v1/"))!.lowerBound...])
        let token = String(path.split(separator: "=", maxSplits: 1)[1])

        let page = try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + path))
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("Acknowledge as alice"))
        #expect((try world.shown()["incident"] as? [String: Any])?["state"] as? String == "triggered", "GET changes nothing")

        let tampered = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: server.url + "/api/v1/incidents/1/ack/confirm",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("token=\(token.dropLast(2))xx".utf8)))
        #expect(tampered.status == 403)
        #expect((try world.shown()["incident"] as? [String: Any])?["state"] as? String == "triggered", "a tampered link changes nothing")

        let confirmed = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: server.url + "/api/v1/incidents/1/ack/confirm",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("token=\(token)".utf8)))
        #expect(confirmed.status == 200)
        let shown = try world.shown()
        #expect((shown["incident"] as? [String: Any])?["state"] as? String == "acknowledged")
        let ack = (shown["timeline"] as? [[String: Any]])?.first { $0["kind"] as? String == "acknowledged" }
        #expect(ack?["actor"] as? String == "alice" && ack?["channel"] as? String == "webhook-link")
    }

    @Test("a link stops working when its person's access is revoked; tocsin links rotate-key refuses every earlier link (audited)", arguments: TestBackend.allCases)
    func revokedAndRotatedLinks(backend: TestBackend) async throws {
        try await backend.withDatabase { try revokedAndRotatedLinks($0) }
    }

    func revokedAndRotatedLinks(_ database: TestDatabase) throws {
        let world = try World(policy: "", database: database)
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try world.writePolicy(Self.webhookPolicy(port: receiver.port))
        let alice = try TocsinBinary.run(["users", "add", "alice", "--email", "alice@example.com", "--db", world.db])
        #expect(alice.status == 0, "\(alice.stderr)")
        let server = try world.startServer()
        func linkPath(of record: [String: Any]?) throws -> String {
            let body = (record?["body"] as? String) ?? "{}"
            let payload = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let link = try #require((payload?["links"] as? [String: String])?["ack"])
            return String(link[try #require(link.range(of: "/api/v1/")).lowerBound...])
        }
        func confirm(_ path: String) throws -> HTTPTransferResponse {
            let parts = path.split(separator: "?", maxSplits: 1)
            return try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: server.url + parts[0] + "/confirm",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(parts[1].utf8)))
        }
        try world.fire()
        let first = try linkPath(of: receiver.waitForRecords(1, seconds: 10).first)
        #expect(try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + first)).status == 200)

        // alice's access is revoked: her link no longer acts as her.
        #expect(try TocsinBinary.run(["users", "revoke", "alice", "--db", world.db]).status == 0)
        let page = try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + first))
        #expect(page.status == 403 && String(decoding: page.body, as: UTF8.self).contains("access to Tocsin was revoked"))
        #expect(try confirm(first).status == 403)
        #expect((try world.shown()["incident"] as? [String: Any])?["state"] as? String == "triggered")

        // alice is given access again; then the key is rotated: the old link is refused, a new page's link works.
        #expect(try TocsinBinary.run(["users", "token", "alice", "--db", world.db]).status == 0)
        #expect(try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + first)).status == 200)
        let rotated = try TocsinBinary.run(["links", "rotate-key", "--db", world.db])
        #expect(rotated.status == 0 && rotated.stdout.contains("no longer works"), "\(rotated.stderr)")
        #expect(try HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: server.url + first)).status == 403)
        #expect(try confirm(first).status == 403)
        try world.fire("webhook-04-firing-grouped-2-alerts")
        let second = try linkPath(of: receiver.waitForRecords(2, seconds: 10).last)
        #expect(try confirm(second).status == 200, "a page sent after the rotation carries a link under the new key")
        let audit = try TocsinBinary.run(["audit", "--db", world.db])
        #expect(audit.stdout.contains("link_key.rotated"), "\(audit.stdout)")
    }

    @Test("an email page: real SMTP, threaded, multipart, RFC 2047 subject, with links")
    func email() throws {
        let world = try World(policy: "")
        let smtp = try PeerProcess(script: "smtp_sink.py", arguments: [], logPath: world.directory.path("mail.jsonl"))
        defer { smtp.stop() }
        try world.writePolicy(Self.emailPolicy)
        try world.startServer(["--smtp-url", "smtp://127.0.0.1:\(smtp.port)", "--smtp-from", "Tocsin <tocsin@example.com>"])
        // A group whose summary is not ASCII.
        let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","commonAnnotations":{"summary":"Wärme in Halle 3 🔥"},"alerts":[{"status":"firing","labels":{"alertname":"Heat","severity":"critical"},"annotations":{"summary":".hidden line"}}]}"#
        let response = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: try #require(world.server).url + "/api/v1/ingest/alertmanager",
            headers: [("Content-Type", "application/json")], body: Array(body.utf8)))
        #expect(response.status == 200)
        let mail = try #require(smtp.waitForRecords(1, seconds: 10).first)
        let headers = mail["headers"] as? [String: String] ?? [:]
        #expect(mail["rcpt_tos"] as? [String] == ["alice@example.com"])
        #expect(mail["mail_from"] as? String == "tocsin@example.com")
        #expect(headers["Subject"] == "[CRITICAL] #1 Wärme in Halle 3 🔥")
        #expect((mail["raw"] as? String)?.contains("Subject: =?UTF-8?B?") == true)
        #expect(headers["From"] == "Tocsin <tocsin@example.com>" && headers["To"] == "alice@example.com")
        #expect(headers["In-Reply-To"] == "<tocsin.incident.1@example.com>" && headers["References"] == "<tocsin.incident.1@example.com>")
        #expect(headers["Message-ID"]?.hasSuffix("@example.com>") == true)
        #expect(headers["Date"]?.hasSuffix("+0000") == true)
        #expect(mail["content_type"] as? String == "multipart/alternative")
        let parts = mail["parts"] as? [[String: Any]] ?? []
        #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"])
        let text = parts.first?["content"] as? String ?? ""
        #expect(text.contains("- [firing] .hidden line"))
        #expect(text.contains("/api/v1/incidents/1/ack?token="))
        #expect((parts.last?["content"] as? String)?.contains("<a href=") == true)

        // Resolving threads a second mail under the same incident, with its own Message-ID.
        #expect(try world.cli(["resolve", "1"]).status == 0)
        let both = smtp.waitForRecords(2, seconds: 10)
        let second = both.last?["headers"] as? [String: String] ?? [:]
        #expect(second["Subject"]?.hasPrefix("[RESOLVED] #1") == true)
        #expect(second["References"] == headers["References"] && second["Message-ID"] != headers["Message-ID"])
    }

    @Test("email dead for want of an SMTP server is sent in full once one is configured and it is re-queued", arguments: TestBackend.allCases)
    func emailWithoutSMTPThenRetried(backend: TestBackend) async throws {
        try await backend.withDatabase { try emailWithoutSMTPThenRetried($0) }
    }

    func emailWithoutSMTPThenRetried(_ database: TestDatabase) throws {
        let world = try World(policy: Self.emailPolicy, database: database)
        let first = try world.startServer()
        try world.fire()
        #expect(try world.firstNotificationReaches("dead"))
        #expect(try world.cli(["deliveries", "--state", "dead"]).stdout.contains("no SMTP server configured"))
        first.stop()

        let smtp = try PeerProcess(script: "smtp_sink.py", arguments: [], logPath: world.directory.path("mail.jsonl"))
        defer { smtp.stop() }
        try world.startServer(["--smtp-url", "smtp://127.0.0.1:\(smtp.port)"], log: "serve-2.log")
        #expect(try world.cli(["deliveries", "retry", "1"]).status == 0)
        let mail = try #require(smtp.waitForRecords(1, seconds: 10).first)
        #expect((mail["headers"] as? [String: String])?["Subject"] == "[CRITICAL] #1 Disk almost full on db1")
        #expect((mail["parts"] as? [[String: Any]])?.count == 2)
    }

    @Test("the SMTP server is down, then up: the mail is delivered after recovery")
    func smtpDownThenUp() throws {
        let port = try freeLoopbackPort()
        let world = try World(policy: DeliveryEndToEndTests.emailPolicy)
        try world.startServer(["--smtp-url", "smtp://127.0.0.1:\(port)"])
        try world.fire()
        Thread.sleep(forTimeInterval: 2.5)
        let smtp = try PeerProcess(script: "smtp_sink.py", arguments: ["--port", "\(port)"], logPath: world.directory.path("mail.jsonl"))
        defer { smtp.stop() }
        #expect(smtp.waitForRecords(1, seconds: 15).count == 1)
        let attempts = try world.shown()["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.count >= 2 && attempts.last?["outcome"] as? String == "sent")
    }
}

/// The webhook receiver and the SMTP server are both down for more than two minutes while
/// incidents keep opening; when they come back, every page arrives once, and once the first one
/// is through the backlog follows oldest first.
@Suite("Delivery, end to end: an outage of minutes")
struct OutageEndToEndTests {
    /// A new incident (its own group key) for the test alert.
    static func incidentPayload(_ number: Int) throws -> [UInt8] {
        var payload = try JSONSerialization.jsonObject(with: try Fixtures.data("webhook-01-firing-critical-single")) as? [String: Any] ?? [:]
        payload["groupKey"] = "{}:{outage=\"\(number)\"}"
        return Array(try JSONSerialization.data(withJSONObject: payload))
    }

    @Test("receiver and SMTP server down for minutes: after recovery the backlog drains at once, oldest first, nothing lost")
    func outageOfMinutes() async throws {
        let hookPort = try freeLoopbackPort()
        let smtpPort = try freeLoopbackPort()
        let world = try DeliveryEndToEndTests.World(
            policy: TestPolicies.pageAlice(["email: alice@example.com", "webhook: \"http://127.0.0.1:\(hookPort)/alice\""]))
        // One worker, so that the order of arrival is the order of sending.
        let server = try world.startServer(["--smtp-url", "smtp://127.0.0.1:\(smtpPort)", "--delivery-workers", "1"])
        let outageStart = Date()
        let incidents = 7
        for number in 1...incidents {
            // An incident every 20 s, for two minutes, while nothing answers.
            let due = outageStart.addingTimeInterval(Double(number - 1) * 20)
            try await Task.sleep(for: .milliseconds(Int(max(0, due.timeIntervalSinceNow) * 1000)))
            let response = try await HTTPTransfer.performOffPool(HTTPTransferRequest(
                method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: try Self.incidentPayload(number)))
            #expect(response.status == 200)
        }
        // Waiting without holding a thread of the concurrency pool (the other suites need them).
        try await Task.sleep(for: .milliseconds(Int(max(0, outageStart.addingTimeInterval(130).timeIntervalSinceNow) * 1000)))
        let listing = try world.cli(["deliveries", "--state", "retry,sending", "--json"]).stdout
        let waiting = (try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [String: Any])?["deliveries"] as? [Any]
        #expect(waiting?.count == incidents * 2, "every page is waiting to be retried: \(listing.prefix(300))")

        let recovered = Date()
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--port", "\(hookPort)"], logPath: world.directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let smtp = try PeerProcess(
            script: "smtp_sink.py", arguments: ["--port", "\(smtpPort)"], logPath: world.directory.path("mail.jsonl"))
        defer { smtp.stop() }
        let hooks = receiver.waitForRecords(incidents, seconds: 60)
        let mails = smtp.waitForRecords(incidents, seconds: 60)
        let drained = Date().timeIntervalSince(recovered)
        try await Task.sleep(for: .seconds(2))  // anything extra would arrive now
        #expect(receiver.records().count == incidents && smtp.records().count == incidents, "each page once")

        let hookOrder = hooks.compactMap { record -> Int? in
            let body = Data(((record["body"] as? String) ?? "").utf8)
            let payload = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
            return (payload?["incident"] as? [String: Any])?["id"] as? Int
        }
        let mailOrder = mails.compactMap { record -> Int? in
            let subject = (record["headers"] as? [String: String])?["Subject"] ?? ""
            guard let hash = subject.firstIndex(of: "#") else { return nil }
            return Int(subject[subject.index(after: hash)...].prefix { $0.isNumber })
        }
        // The first page through is whichever retry came first after recovery (usually the newest
        // page, whose backoff is shortest); its success releases the rest, oldest first. A page
        // whose own retry fell due with the first one may have been claimed with it and be on its
        // way already; after those two, the backlog goes oldest first. (Which pages are due when
        // depends on the machine's timing; `OutboxStoreTests` proves the order exactly.)
        for (medium, order) in [("webhooks", hookOrder), ("mails", mailOrder)] {
            #expect(order.sorted() == Array(1...incidents), "\(medium): every incident once: \(order)")
            let backlog = Array(order.dropFirst(2))
            #expect(backlog == backlog.sorted(), "\(medium): the backlog oldest first: \(order)")
        }
        #expect(drained < 45, "the backlog drained \(Int(drained)) s after recovery")
        #expect(try world.cli(["deliveries", "--state", "dead"]).stdout.contains("person:alice") == false, "nothing given up")
    }
}

@Suite("Delivery, end to end: SMTP authentication", .serialized)
struct SMTPAuthEndToEndTests {
    @Test("SMTP AUTH with the password from the environment; the password never appears in the log")
    func authenticatedMail() throws {
        let world = try DeliveryEndToEndTests.World(policy: DeliveryEndToEndTests.emailPolicy)
        let password = "s3cret-smtp-password-\(UUID().uuidString.prefix(8))"
        let smtp = try PeerProcess(
            script: "smtp_sink.py", arguments: ["--auth", "tocsin:\(password)"], logPath: world.directory.path("mail.jsonl"))
        defer { smtp.stop() }
        let server = try world.startServer(
            ["--smtp-url", "smtp://127.0.0.1:\(smtp.port)", "--smtp-username", "tocsin", "--smtp-allow-plaintext-auth", "--log-level", "debug"],
            environment: ["TOCSIN_SMTP_PASSWORD": password])
        try world.fire()
        #expect(smtp.waitForRecords(1, seconds: 10).count == 1)
        server.stop()
        #expect(!server.log().contains(password))
        #expect(server.log().contains("\"msg\":\"delivered\""))
    }

    @Test("a wrong SMTP password is retried, not lost")
    func wrongPassword() throws {
        let world = try DeliveryEndToEndTests.World(policy: DeliveryEndToEndTests.emailPolicy)
        let smtp = try PeerProcess(
            script: "smtp_sink.py", arguments: ["--auth", "tocsin:right"], logPath: world.directory.path("mail.jsonl"))
        defer { smtp.stop() }
        try world.startServer(
            ["--smtp-url", "smtp://127.0.0.1:\(smtp.port)", "--smtp-username", "tocsin", "--smtp-allow-plaintext-auth"],
            environment: ["TOCSIN_SMTP_PASSWORD": "wrong"])
        try world.fire()
        #expect(try world.firstNotificationReaches("retry", seconds: 10))
        #expect(smtp.records().isEmpty)
    }
}
