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
            #expect([IncidentState.triggered, .acknowledged].contains(detail.incident.state))
            // The last word on the state is the timeline's: acknowledged iff the last ack came after the last re-trigger.
            let lastAck = detail.timeline.filter { $0.kind == .acknowledged }.compactMap(\.id).max() ?? -1
            let lastRetrigger = detail.timeline.filter { $0.kind == .retriggered }.compactMap(\.id).max() ?? -1
            #expect((detail.incident.state == .acknowledged) == (lastAck > lastRetrigger), "\(detail.timeline.map { "\($0.kind.rawValue)@\($0.id ?? 0)" })")
        }
    }

    // MARK: Paging by hand and reassigning

    @Test("tocsin page --person bob opens a manual incident that pages bob at once and escalates no further")
    func pageByHand() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let response = try await server.api(
                .post, "/api/v1/incidents", json: #"{"person":"bob","summary":"Payments are failing","details":"since the deploy"}"#)
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let opened = try response.decode(IncidentCommandResultResource.self)
            let detail = try await server.store.incident(id: opened.incident.id)
            #expect(detail.incident.source == "manual" && detail.incident.severity == "critical" && detail.incident.title == "Payments are failing")
            #expect(detail.notifications.map(\.address) == ["bob@example.com"] && detail.notifications.allSatisfy(\.urgent))
            #expect(detail.alerts.first?.annotations["requested_by"] == "alice")
            #expect(detail.timeline.contains { $0.actor == "alice" && $0.note == "paged by hand: person bob" })
            #expect(!detail.timeline.contains { $0.kind == .escalationExhausted })
            #expect(detail.escalations.map(\.nextDueAt) == [nil], "no further escalation")
            server.clock.advance(by: 3600)
            try await server.server.escalator.tick()
            #expect(try await server.store.incident(id: opened.incident.id).notifications.count == 1)
        }
    }

    @Test("tocsin page --schedule primary --policy critical-immediate pages whoever is on call and escalates through the policy")
    func pageSchedulePolicy() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let opened = try await server.api(
                .post, "/api/v1/incidents", json: #"{"schedule":"primary","policy":"critical-immediate","summary":"Site down","severity":"warning"}"#
            ).decode(IncidentCommandResultResource.self)
            let detail = try await server.store.incident(id: opened.incident.id)
            #expect(Set(detail.escalations.map(\.policyName)) == ["page oncall:primary by hand", "critical-immediate"])
            #expect(detail.notifications.map(\.address) == ["alice@example.com", "alice@example.com"],
                    "alice, on call: paged for the schedule and by step 1 of the policy, one page each")
            server.clock.advance(by: 300)
            try await server.server.escalator.tick()
            #expect(try await server.store.incident(id: opened.incident.id).notifications.map(\.address).last == "bob@example.com")
        }
    }

    @Test("a page by hand naming nobody, an unknown name, or no summary is a 400 naming the field, and changes nothing", arguments: [
        (#"{"summary":"x"}"#, "person"), (#"{"person":"zed","summary":"x"}"#, "person"), (#"{"schedule":"nights","summary":"x"}"#, "schedule"),
        (#"{"policy":"nope","summary":"x"}"#, "policy"), (#"{"person":"bob"}"#, "summary"), (#"{"person":"bob","summary":"x","severity":"dire"}"#, "severity"),
    ])
    func badPages(body: String, field: String) async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let before = try await DatabaseSnapshot.take(server.store)
            let response = try await server.api(.post, "/api/v1/incidents", json: body)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains(#""field":"\#(field)""#), "\(String(buffer: response.body))")
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("tocsin page 42 --person bob pages bob now about an acknowledged incident, which stays acknowledged")
    func addResponder() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            #expect(try await server.api(.post, "/api/v1/incidents/1/ack").status == .ok)
            let result = try await server.api(.post, "/api/v1/incidents/1/page", json: #"{"person":"bob"}"#).decode(IncidentCommandResultResource.self)
            #expect(result.incident.state == .acknowledged)
            #expect(try await pages(server).map(\.address) == ["alice@example.com", "bob@example.com"])
            // Twice: bob is paged again, under another policy name.
            #expect(try await server.api(.post, "/api/v1/incidents/1/page", json: #"{"person":"bob"}"#).status == .ok)
            let names = try await server.store.incident(id: 1).escalations.map(\.policyName)
            #expect(names == ["critical-immediate", "page person:bob by hand", "page person:bob by hand (2)"])
            #expect(try await server.api(.post, "/api/v1/incidents/1/resolve").status == .ok)
            #expect(try await server.api(.post, "/api/v1/incidents/1/page", json: #"{"person":"bob"}"#).status == .conflict)
        }
    }

    @Test("reassigning stops the running escalations and cancels their unsent pages; the new policy starts from step 1")
    func reassign() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            try await opened(server)
            server.clock.advance(by: 299)
            try await server.server.escalator.tick()  // bob's step at 5m is prepared (held until then)
            let response = try await server.api(.post, "/api/v1/incidents/1/reassign", json: #"{"policy":"warning-24h"}"#)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let detail = try await server.store.incident(id: 1)
            #expect(detail.escalations.first { $0.policyName == "critical-immediate" }?.nextDueAt == nil)
            #expect(detail.notifications.map(\.target) == ["person:alice", "channel:team-chat"], "bob's prepared page was taken back")
            #expect(detail.timeline.contains { $0.note?.hasPrefix("reassigned by hand: critical-immediate stopped; policy warning-24h") == true })

            #expect(try await server.api(.post, "/api/v1/incidents/1/reassign", json: #"{"person":"carol"}"#).status == .ok)
            let again = try await server.store.incident(id: 1)
            #expect(again.escalations.filter { $0.nextDueAt != nil }.isEmpty, "carol is the only target: nothing else will run")
            #expect(again.notifications.last?.address == "carol@example.com")
            let both = try await server.api(.post, "/api/v1/incidents/1/reassign", json: #"{"person":"carol","policy":"warning-24h"}"#)
            #expect(both.status == .badRequest)

            // Stopped for good: neither an acknowledgement expiring nor escalating by hand brings the old policies back.
            #expect(try await server.api(.post, "/api/v1/incidents/1/ack").status == .ok)
            server.clock.advance(by: 3 * 3600)
            try await server.server.escalator.tick()
            let afterAck = try await server.store.incident(id: 1)
            #expect(afterAck.incident.state == .acknowledged && afterAck.notifications.filter(\.event.isPage).last?.address == "carol@example.com")
            #expect(try await server.api(.post, "/api/v1/incidents/1/escalate").status == .conflict, "carol's one step is spent; nothing else runs")
        }
    }
}
