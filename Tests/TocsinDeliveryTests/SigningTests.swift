import Foundation
import Testing
import TocsinDelivery

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
}
