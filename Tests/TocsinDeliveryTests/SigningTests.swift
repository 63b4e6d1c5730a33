import Foundation
import Testing
@testable import TocsinDelivery

@Suite("Signing")
struct SigningTests {
    let now = Date(timeIntervalSince1970: 1_795_800_000)
    let signer = LinkSigner(key: Array("link-key-for-tests".utf8))

    func grant(expires: TimeInterval = 3600) -> LinkSigner.Grant {
        LinkSigner.Grant(incidentID: 42, action: "ack", actor: "alice", channel: "email-link", expires: now.addingTimeInterval(expires))
    }

    @Test("a link token round-trips and names who acts, through which channel")
    func roundTrip() throws {
        let token = signer.token(for: grant())
        let verified = try signer.verify(token, incidentID: 42, action: "ack", now: now)
        #expect(verified.actor == "alice" && verified.channel == "email-link")
    }

    @Test("tokens use the URL alphabet without padding, and still verify; a `|` in a name cannot forge a field")
    func urlSafeTokens() throws {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        var sawURLLetters = false
        for index in 0..<32 {
            let token = signer.token(for: LinkSigner.Grant(
                incidentID: Int64(index), action: "ack", actor: "person-\(index)", channel: "email-link",
                expires: now.addingTimeInterval(3600)))
            #expect(token.allSatisfy(allowed.contains), "\(token)")
            sawURLLetters = sawURLLetters || token.contains("-") || token.contains("_")
            #expect(try signer.verify(token, incidentID: Int64(index), action: "ack", now: now).actor == "person-\(index)")
        }
        #expect(sawURLLetters, "32 signatures without a single '-' or '_' would be a broken alphabet")
        let piped = signer.token(for: LinkSigner.Grant(
            incidentID: 7, action: "ack", actor: "eve|resolve", channel: "x", expires: now.addingTimeInterval(60)))
        #expect(try signer.verify(piped, incidentID: 7, action: "ack", now: now).actor == "eve_resolve")
    }

    @Test("tampered, foreign, expired and misdirected tokens are refused")
    func refusals() {
        let token = signer.token(for: grant())
        var tampered = Array(token)
        tampered[3] = tampered[3] == "A" ? "B" : "A"
        #expect(throws: LinkSigner.Rejection.badSignature) {
            try signer.verify(String(tampered), incidentID: 42, action: "ack", now: now)
        }
        #expect(throws: LinkSigner.Rejection.badSignature) {
            try LinkSigner(key: Array("another-key".utf8)).verify(token, incidentID: 42, action: "ack", now: now)
        }
        #expect(throws: LinkSigner.Rejection.wrongIncident) { try signer.verify(token, incidentID: 43, action: "ack", now: now) }
        #expect(throws: LinkSigner.Rejection.wrongIncident) { try signer.verify(token, incidentID: 42, action: "resolve", now: now) }
        #expect(throws: LinkSigner.Rejection.self) {
            try signer.verify(signer.token(for: grant(expires: -1)), incidentID: 42, action: "ack", now: now)
        }
        #expect(throws: LinkSigner.Rejection.malformed) { try signer.verify("garbage", incidentID: 42, action: "ack", now: now) }
    }

    @Test("webhook signatures: HMAC-SHA256 over timestamp.body, one entry per active secret")
    func webhookSignature() {
        let body = Array(#"{"event":"triggered"}"#.utf8)
        let header = WebhookSignature.header(timestamp: "1795800000", body: body, secrets: ["new", "old"])
        #expect(header.split(separator: ",").count == 2)
        #expect(WebhookSignature.verify(header: header, timestamp: "1795800000", body: body, secret: "old"))
        #expect(WebhookSignature.verify(header: header, timestamp: "1795800000", body: body, secret: "new"))
        #expect(!WebhookSignature.verify(header: header, timestamp: "1795800001", body: body, secret: "new"))
        #expect(!WebhookSignature.verify(header: header, timestamp: "1795800000", body: body + [32], secret: "new"))
        // A known vector, computed independently: printf '1795800000.{"event":"triggered"}' | openssl dgst -sha256 -hmac new
        #expect(WebhookSignature.sign(timestamp: "1795800000", body: body, secret: "new") == Self.opensslVector)
    }

    static let opensslVector: String = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["dgst", "-sha256", "-hmac", "new"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(#"1795800000.{"event":"triggered"}"#.utf8))
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "openssl missing"
    }()

    @Test("a link to a person acts as the person; a link to a shared channel says so, and asks who is acting")
    func linkActors() {
        #expect(NotificationRenderer.actor(forTarget: "person:alice") == "alice")
        #expect(NotificationRenderer.actor(forTarget: "email:ops@example.com") == "ops@example.com")
        #expect(NotificationRenderer.actor(forTarget: "channel:team-chat") == "channel:team-chat")
        var channel = grant()
        channel.actor = "channel:team-chat"
        #expect(channel.sharedChannel == "team-chat")
        #expect(grant().sharedChannel == nil)
    }
}
