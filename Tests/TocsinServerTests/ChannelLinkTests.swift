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

/// A link sent to a shared channel (team chat) asks who is acting and records that person.
@Suite("Links sent to a shared channel")
struct ChannelLinkTests {
    func confirm(_ server: LiveServer, token: String, person: String?) async throws -> TestResponse {
        var form = "token=\(token)"
        if let person { form += "&person=\(person)" }
        return try await server.client.execute(
            uri: "/api/v1/incidents/1/ack/confirm", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form))
    }

    func text(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }

    @Test("team-chat's ack link asks who is acknowledging, from the incident's people; the timeline records alice via team-chat link")
    func channelLinkRecordsPerson() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            // A warning: warning-24h tells team-chat at once.
            #expect(try await server.ingest(try Fixtures.data("webhook-03-firing-warning-single")).status == .ok)
            let sent = try await server.store.notifications(incidentID: 1)
            #expect(sent.map(\.target) == ["channel:team-chat"])
            let grant = LinkSigner.Grant(
                incidentID: 1, action: "ack", actor: "channel:team-chat", channel: "email-link",
                expires: server.clock.now.addingTimeInterval(3600))
            let token = LinkSigner(key: Array("test-link-key".utf8)).token(for: grant)

            let page = try await server.client.execute(uri: "/api/v1/incidents/1/ack?token=\(token)", method: .get)
            #expect(page.status == .ok)
            #expect(text(page).contains("this link was sent to team-chat"))
            // warning-24h pages whoever is on call for primary at 24h: anyone of its rotation may act.
            for person in ["alice", "bob", "carol"] {
                #expect(text(page).contains(#"<input type="radio" name="person" value="\#(person)" required> \#(person)"#))
            }

            for person in [nil, "mallory"] {
                let refused = try await confirm(server, token: token, person: person)
                #expect(refused.status == .badRequest, "\(person ?? "nobody")")
                #expect(text(refused).contains("Choose who is acting"))
                #expect(try await server.store.incident(id: 1).incident.state == .triggered, "a refused form changes nothing")
            }

            let done = try await confirm(server, token: token, person: "alice")
            #expect(done.status == .ok)
            #expect(text(done).contains("acknowledged by alice"))
            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.state == .acknowledged && detail.incident.acknowledgedBy == "alice")
            let ack = detail.timeline.first { $0.kind == .acknowledged }
            #expect(ack?.actor == "alice" && ack?.channel == "team-chat link")
        }
    }
}
