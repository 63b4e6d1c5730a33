import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinDelivery
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Twilio's callbacks through the server: each must be signed for the URL it reached, and a call's
/// URL must carry a valid token for its incident; otherwise 403 and nothing changes.
@Suite("Twilio's callbacks")
struct TwilioRouteTests {
    static let twilio = TwilioSettings(accountSID: "AC" + String(repeating: "0", count: 32), authToken: "route-test-token", from: "+15005550006")
    static let publicURL = "http://127.0.0.1:9797"

    /// POSTs `fields` to `path`, signed for the public URL (or with `signature` when given).
    func post(_ server: LiveServer, _ path: String, _ fields: [(String, String)], signature: String? = nil) async throws -> TestResponse {
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        let signed = signature ?? TwilioSigner.signature(url: Self.publicURL + path, parameters: fields, authToken: Self.twilio.authToken)
        return try await server.client.execute(
            uri: path, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Twilio-Signature")!: signed],
            body: ByteBuffer(string: body))
    }

    @Test("without a Twilio account the routes are not there")
    func notConfigured() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let response = try await post(server, "/twilio/sms", [("From", "+441632960001"), ("Body", "1A")])
            #expect(response.status == .notFound)
        }
    }

    @Test("an unsigned, badly signed, or elsewhere-signed request is 403 and changes nothing")
    func signatures() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped, twilio: Self.twilio) { server in
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let fields = [("MessageSid", "SM1"), ("MessageStatus", "failed")]
            let elsewhere = TwilioSigner.signature(
                url: Self.publicURL + "/twilio/status/2", parameters: fields, authToken: Self.twilio.authToken)
            for signature in ["", "bm90IGEgc2lnbmF0dXJl", elsewhere] {
                #expect(try await post(server, "/twilio/status/1", fields, signature: signature).status == .forbidden, "\(signature)")
            }
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
            // Signed for this URL: a delivery that is not a text or a call is not found.
            #expect(try await post(server, "/twilio/status/1", fields).status == .notFound)
        }
    }

    @Test("a call's URL needs a token for its incident; a good one reads the page and takes the key pressed")
    func voiceToken() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped, twilio: Self.twilio) { server in
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            let bad = try await post(server, "/twilio/voice/1/not-a-token", [("CallSid", "CA1")])
            #expect(bad.status == .forbidden)
            let signer = LinkSigner(key: Array("test-link-key".utf8))
            let grant = LinkSigner.Grant(
                incidentID: 1, action: TwilioSettings.voiceAction, actor: "bob", channel: "voice",
                expires: server.clock.now.addingTimeInterval(3600))
            let token = signer.token(for: grant)
            // A token for incident 1 does not open incident 2's call.
            #expect(try await post(server, "/twilio/voice/2/\(token)", [("CallSid", "CA1")]).status == .forbidden)
            let twiml = String(buffer: try await post(server, "/twilio/voice/1/\(token)", [("CallSid", "CA1")]).body)
            #expect(twiml.contains("<Gather") && twiml.contains("Press 1 to acknowledge"), "\(twiml)")
            let pressed = String(buffer: try await post(server, "/twilio/voice/1/\(token)/gather", [("CallSid", "CA1"), ("Digits", "1")]).body)
            #expect(pressed.contains("Acknowledged"), "\(pressed)")
            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.acknowledgedBy == "bob" && detail.timeline.contains { $0.kind == .acknowledged && $0.channel == "voice" })
            // Pressed again after a resolve: said in words, nothing changes.
            _ = try await server.api(.post, "/api/v1/incidents/1/resolve")
            let late = String(buffer: try await post(server, "/twilio/voice/1/\(token)/gather", [("CallSid", "CA1"), ("Digits", "1")]).body)
            #expect(late.contains("<Say>") && late.contains("nothing was changed"), "\(late)")
        }
    }
}
