import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinAPI
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Incidents by hand through the server, on the shipped policies with a manual clock: notes and
/// escalating now. (critical-immediate pages the on-call person, alice, at once; bob at 5m; carol at 15m.)
@Suite("Notes and escalating by hand")
struct ByHandTests {
    /// A critical incident (#1): alice paged at once.
    func opened(_ server: LiveServer) async throws {
        #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
        try await server.server.escalator.tick()
    }

    func pages(_ server: LiveServer) async throws -> [OutboxEntry] {
        try await server.store.notifications(incidentID: 1).filter(\.event.isPage)
    }

    @Test("escalate now runs the next step at once, and later steps keep their spacing from then")
    func escalateNow() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let t0 = server.clock.now
            server.clock.advance(by: 60)
            let response = try await server.api(.post, "/api/v1/incidents/1/escalate", json: #"{"note":"db is on fire"}"#)
            #expect(response.status == .ok)
            var sent = try await pages(server)
            #expect(sent.map(\.address) == ["alice@example.com", "bob@example.com"])
            #expect(sent.last?.dueAt == t0.addingTimeInterval(60), "bob at 1m, not 5m")
            let detail = try await server.store.incident(id: 1)
            let event = try #require(detail.timeline.last { $0.kind == .escalatedByHand })
            #expect(event.actor == "alice" && event.note == "step 2 of critical-immediate run at once: db is on fire", "\(event.note ?? "")")
            #expect(detail.escalations.first?.nextDueAt == t0.addingTimeInterval(60 + 600), "carol 10m after bob, as in the policy")

            // Jumping back to step 1 pages nobody twice: alice was paged for it in this pass.
            #expect(try await server.api(.post, "/api/v1/incidents/1/escalate", json: #"{"to_step":1}"#).status == .ok)
            sent = try await pages(server)
            #expect(sent.map(\.address) == ["alice@example.com", "bob@example.com"])
            #expect(try await server.store.incident(id: 1).escalations.first?.nextDueAt == server.clock.now.addingTimeInterval(300))
        }
    }

    @Test("escalating an acknowledged incident triggers it again first, and the timeline says so")
    func escalateAcknowledged() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            #expect(try await server.api(.post, "/api/v1/incidents/1/ack").status == .ok)
            server.clock.advance(by: 30)
            let result = try await server.api(.post, "/api/v1/incidents/1/escalate").decode(IncidentCommandResultResource.self)
            #expect(result.incident.state == .triggered)
            let detail = try await server.store.incident(id: 1)
            let kinds = detail.timeline.map(\.kind)
            #expect(Array(kinds.suffix(3)) == [.retriggered, .escalatedByHand, .notified], "\(kinds)")
            #expect(detail.timeline.first { $0.kind == .retriggered && $0.actor == "alice" }?.note?.contains("escalated by hand") == true)
            #expect(try await pages(server).map(\.address) == ["alice@example.com", "bob@example.com"])
        }
    }

    @Test("escalating a resolved incident, or to a step the policy lacks, is a 409 that changes nothing", arguments: [
        ("resolved", #"{}"#), ("step 9", #"{"to_step":9}"#),
    ])
    func escalateRefused(_ name: String, body: String) async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            if name == "resolved" {
                #expect(try await server.api(.post, "/api/v1/incidents/1/resolve").status == .ok)
            }
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let response = try await server.api(.post, "/api/v1/incidents/1/escalate", json: body)
            #expect(response.status == .conflict, "\(String(buffer: response.body))")
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
        }
    }

    @Test("a note is on the timeline and audited; with notify, everyone already paged is sent it")
    func notes() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let quiet = try await server.api(.post, "/api/v1/incidents/1/notes", json: #"{"note":"rolled back deploy 3f2a"}"#)
            #expect(quiet.status == .created)
            let stored = try quiet.decode(NoteResultResource.self)
            #expect(stored.notified == 0 && stored.note.kind == .note && stored.note.note == "rolled back deploy 3f2a")

            let told = try await server.api(.post, "/api/v1/incidents/1/notes", json: #"{"note":"error rate back to normal","notify":true}"#)
            #expect(try told.decode(NoteResultResource.self).notified == 1)
            let notes = try await server.store.notifications(incidentID: 1).filter { $0.event == .note }
            #expect(notes.map(\.address) == ["alice@example.com"])
            #expect(notes.first?.subject.hasPrefix("[NOTE] #1") == true && notes.first?.body.contains("Note from alice: error rate back to normal") == true)
            #expect(notes.first?.urgent == false)
            let timeline = try await server.store.incident(id: 1).timeline.filter { $0.kind == .note }
            #expect(timeline.map(\.note) == ["rolled back deploy 3f2a", "error rate back to normal"])
            let audit = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0)).filter { $0.kind == .incidentNoted }
            #expect(audit.count == 2 && audit.allSatisfy { $0.actor == "alice" })
        }
    }

    @Test("a bad note is a 400 naming the field, and a token without respond a 403; neither changes anything", arguments: [
        #"{"note":"   "}"#, #"{"note":""}"#, #"{"notify":true}"#, "{\"note\":\"\(String(repeating: "x", count: 4097))\"}",
    ])
    func badNotes(body: String) async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let before = try await DatabaseSnapshot.take(server.store)
            let response = try await server.api(.post, "/api/v1/incidents/1/notes", json: body)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains(#""field":"note""#), "\(String(buffer: response.body))")
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("many people acting on one incident at once: every note and escalation is on the timeline once, and the state is one of theirs")
    func concurrentActions() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            let answers = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for index in 0..<24 {
                    group.addTask {
                        switch index % 3 {
                        case 0: (index, try await server.api(.post, "/api/v1/incidents/1/notes", json: #"{"note":"note \#(index)","notify":true}"#).status)
                        case 1: (index, try await server.api(.post, "/api/v1/incidents/1/escalate").status)
                        default: (index, try await server.api(.post, "/api/v1/incidents/1/ack").status)
                        }
                    }
                }
                return try await group.reduce(into: [Int: HTTPResponse.Status]()) { $0[$1.0] = $1.1 }
            }
            let statuses = (0..<24).compactMap { answers[$0] }
            // Escalations may run out of steps (409) once the chain is spent; nothing else fails.
            #expect(statuses.allSatisfy { [.ok, .created, .conflict].contains($0) }, "\(statuses)")
            let detail = try await server.store.incident(id: 1)
            #expect(Set(detail.timeline.filter { $0.kind == .note }.compactMap(\.note)) == Set((0..<8).map { "note \($0 * 3)" }))
            let escalated = statuses.enumerated().filter { $0.offset % 3 == 1 && $0.element == .ok }.count
            #expect(detail.timeline.filter { $0.kind == .escalatedByHand }.count == escalated)
            #expect(Set(detail.notifications.map(\.idempotencyKey)).count == detail.notifications.count, "no notification twice")
            #expect([IncidentState.triggered, .acknowledged].contains(detail.incident.state))
            // The last word on the state is the timeline's: acknowledged iff the last ack came after the last re-trigger.
            let lastAck = detail.timeline.lastIndex { $0.kind == .acknowledged } ?? -1
            let lastRetrigger = detail.timeline.lastIndex { $0.kind == .retriggered } ?? -1
            #expect((detail.incident.state == .acknowledged) == (lastAck > lastRetrigger))
        }
    }
}
