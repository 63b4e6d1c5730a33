import Foundation
import Testing
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// What the logs of a real server carry: one correlation id from the ingest request to every
/// delivery attempt of its incident, and never a secret.
@Suite("Logs, end to end", .serialized)
struct LoggingEndToEndTests {
    @Test("the ingest request's X-Request-Id follows the alert to each delivery; no token, password, key or secret is logged")
    func correlationAndSecrets() async throws {
        let directory = try TemporaryDirectory("tocsin-logs")
        defer { directory.remove() }
        let secrets = (
            ingest: "ingest-\(UUID().uuidString)", smtp: "smtp-\(UUID().uuidString)", hook: "hmac-\(UUID().uuidString)",
            wrong: "tcn_wrong\(UUID().uuidString.prefix(8))")
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: ["--script", "503,200"], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let smtp = try PeerProcess(script: "smtp_sink.py", arguments: ["--auth", "tocsin:\(secrets.smtp)"], logPath: directory.path("mail.jsonl"))
        defer { smtp.stop() }
        try TestPolicies.write(
            TestPolicies.pageAlice([
                "email: alice@example.com", "webhook: \"http://127.0.0.1:\(receiver.port)/alice?key=url-credential\"",
                "secrets_env: [HOOK_SECRET]",
            ]), in: directory)
        let db = directory.path("tocsin.sqlite")
        let token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
            .stdout.split(separator: "\n").last.map(String.init) ?? ""
        let server = try ServerProcess(
            arguments: [
                "--db", db, "--config", directory.path("policies"), "--ingest-token", secrets.ingest, "--log-level", "debug",
                "--smtp-url", "smtp://127.0.0.1:\(smtp.port)", "--smtp-username", "tocsin", "--smtp-allow-plaintext-auth",
                "--smtp-from", "tocsin@example.com",
            ],
            logPath: directory.path("serve.log"), environment: ["TOCSIN_SMTP_PASSWORD": secrets.smtp, "HOOK_SECRET": secrets.hook])
        defer { server.stop(signal: SIGKILL) }
        let body = Array(try Fixtures.data("webhook-01-firing-critical-single"))
        func post(_ path: String, bearer: String, body: [UInt8] = [], requestID: String? = nil) throws -> Int {
            var headers = [("Content-Type", "application/json"), ("Authorization", "Bearer \(bearer)")]
            if let requestID { headers.append(("X-Request-Id", requestID)) }
            return try HTTPTransfer.perform(HTTPTransferRequest(method: "POST", url: server.url + path, headers: headers, body: body)).status
        }
        #expect(try post("/api/v1/ingest/alertmanager", bearer: secrets.wrong, body: body) == 401)
        #expect(try post("/api/v1/ingest/alertmanager", bearer: secrets.ingest, body: body, requestID: "trace-4242") == 200)
        #expect(smtp.waitForRecords(1, seconds: 10).count == 1)
        #expect(receiver.waitForRecords(2, seconds: 15).count == 2, "the webhook is retried once after its 503")
        #expect(try post("/api/v1/incidents/1/ack", bearer: token) == 200)
        #expect(try post("/api/v1/incidents/1/ack", bearer: secrets.wrong) == 401)
        #expect(receiver.waitForRecords(3, seconds: 10).count == 3, "the acknowledgement notice by webhook")
        #expect(smtp.waitForRecords(2, seconds: 10).count == 2, "and by email")
        // What a read-only token sees of the deliveries: no signed links, no webhook URL path.
        for path in ["/api/v1/deliveries?state=sent", "/api/v1/incidents/1"] {
            let answer = try HTTPTransfer.perform(HTTPTransferRequest(
                method: "GET", url: server.url + path, headers: [("Authorization", "Bearer \(token)")]))
            let text = String(decoding: answer.body, as: UTF8.self)
            #expect(answer.status == 200 && text.contains("127.0.0.1"), "\(path)")
            #expect(!text.contains("token=") && !text.contains("url-credential") && !text.contains("/alice"), "\(path): \(text.prefix(300))")
        }
        server.stop()

        let lines = server.log().split(separator: "\n").map(String.init)
        let traced = lines.filter { $0.contains("\"correlation_id\":\"trace-4242\"") }
        #expect(traced.contains { $0.contains("\"msg\":\"ingested\"") && $0.contains("\"incident_id\":\"1\"") })
        #expect(traced.filter { $0.contains("\"msg\":\"delivery failed; will retry\"") }.count == 1, "\(traced)")
        #expect(traced.filter { $0.contains("\"msg\":\"delivered\"") }.count == 4, "the page and the ack notice, by webhook and email")

        let store = try TocsinStore(path: db)
        let linkKey = try await store.setting("link_signing_key", orInsert: "unused")
        try store.close()
        let log = server.log()
        for (name, secret) in [
            ("ingest token", secrets.ingest), ("SMTP password", secrets.smtp), ("webhook HMAC secret", secrets.hook),
            ("API token", token), ("a wrong token", secrets.wrong), ("link-signing key", linkKey), ("webhook URL credential", "url-credential"),
        ] {
            #expect(!log.contains(secret), "the \(name) appears in the log")
        }
    }
}
