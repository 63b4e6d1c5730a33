import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinAPI
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Live drill runs through the real server: registration, and drill incidents paging the drill's
/// receiver (or nobody), never the people in the policies.
@Suite("Drill runs through the server")
struct DrillRunTests {
    static let shipped = EscalationTests.shipped

    /// The drill's webhook, as `tocsin drill run --live` posts it.
    func drillWebhook(runID: String, at now: Date) throws -> [UInt8] {
        let drill = Drill(
            name: "disk", alerts: [.init(labels: ["alertname": "DiskFull", "severity": "critical"])], actions: [],
            expectations: [.resolvedNoticeToEveryonePaged], duration: 60)
        return Array(try TocsinJSON.encoder().encode(drill.webhook(status: .firing, at: now, runID: runID)))
    }

    func startRun(_ server: LiveServer, _ json: String) async throws -> DrillRunResource {
        let response = try await server.api(.post, "/api/v1/drills", json: json)
        #expect(response.status == .created)
        return try response.decode(DrillRunResource.self)
    }

    @Test("a registered run's incident is marked and pages only the drill receiver, keeping the medium in the path")
    func redirected() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            let run = try await startRun(server, #"{"name":"disk","receiver_url":"http://127.0.0.1:4321/"}"#)
            #expect(run.id.hasPrefix("drill-") && run.startedBy == "alice" && !run.realTargets)
            #expect(try await server.ingest(try drillWebhook(runID: run.id, at: server.clock.now)).status == .ok)
            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.drillRun == run.id)
            let sent = try await server.store.notifications(incidentID: 1)
            #expect(sent.map(\.target) == ["person:alice"])
            #expect(sent.map(\.address) == ["http://127.0.0.1:4321/email/person:alice"])
            #expect(sent.map(\.medium) == [.webhook])
            let listed = try await server.api(.get, "/api/v1/incidents").decode(IncidentListResource.self)
            #expect(listed.incidents.first?.drillRun == run.id)
        }
    }

    @Test("an unknown or finished run pages nobody; --real-targets pages the policy's people")
    func unknownFinishedAndReal() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            #expect(try await server.ingest(try drillWebhook(runID: "drill-unknown", at: server.clock.now)).status == .ok)
            #expect(try await server.store.incident(id: 1).incident.drillRun == "drill-unknown")
            #expect(try await server.store.notifications(incidentID: 1).isEmpty)

            let finished = try await startRun(server, #"{"name":"old","receiver_url":"http://127.0.0.1:4321"}"#)
            let finish = try await server.api(.post, "/api/v1/drills/\(finished.id)/finish")
            #expect(try finish.decode(DrillRunResource.self).finishedAt == server.clock.now)
            #expect(try await server.ingest(try drillWebhook(runID: finished.id, at: server.clock.now)).status == .ok)
            #expect(try await server.store.notifications(incidentID: 2).isEmpty)

            let real = try await startRun(server, #"{"name":"real","real_targets":true}"#)
            #expect(try await server.ingest(try drillWebhook(runID: real.id, at: server.clock.now)).status == .ok)
            #expect(try await server.store.notifications(incidentID: 3).map(\.address) == ["alice@example.com"])

            let listing = try await server.api(.get, "/api/v1/drills").decode(DrillListResource.self)
            #expect(Set(listing.drills.map(\.id)) == [finished.id, real.id])
        }
    }

    @Test("a real alert carrying a tocsin_drill label (not addressed to the drill receiver) pages as usual")
    func strayLabel() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            let run = try await startRun(server, #"{"name":"disk","receiver_url":"http://127.0.0.1:4321/"}"#)
            var webhook = try TocsinJSON.decoder().decode(
                AlertmanagerWebhook.self, from: Data(try drillWebhook(runID: run.id, at: server.clock.now)))
            webhook.receiver = "tocsin"
            #expect(try await server.ingest(Array(try TocsinJSON.encoder().encode(webhook))).status == .ok)
            #expect(try await server.store.incident(id: 1).incident.drillRun == nil)
            #expect(try await server.store.notifications(incidentID: 1).map(\.address) == ["alice@example.com"])
        }
    }

    @Test("bad registrations get 400 naming the field and change nothing; an unknown run is 404; a token is required")
    func rejected() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            let before = try await DatabaseSnapshot.take(server.store)
            let cases: [(String, String)] = [
                (#"{"name":"x","receiver_url":"http://203.0.113.9/hook"}"#, "receiver_url"),
                (#"{"name":"x","receiver_url":"https://127.0.0.1/hook"}"#, "receiver_url"),
                (#"{"name":"","receiver_url":"http://127.0.0.1:1"}"#, "name"),
                (#"{"receiver_url":"http://127.0.0.1:1"}"#, "name"),
                (#"{"name":"x","real_targets":"yes"}"#, "real_targets"),
            ]
            for (body, field) in cases {
                let response = try await server.api(.post, "/api/v1/drills", json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.apiError().field == field, "\(body)")
            }
            #expect(try await server.api(.post, "/api/v1/drills", json: #"{"name":"x"}"#, token: "").status == .unauthorized)
            #expect(try await server.api(.post, "/api/v1/drills/drill-nope/finish").status == .notFound)
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }
}

/// `GET /api/v1/drills`, as the tests decode it.
