import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

@Suite("Outbox, on SQLite and PostgreSQL")
struct OutboxStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com")],
        routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice")])])])

    @Test("a receiver gets an incident's notifications in order: a later one waits while an earlier one retries", arguments: TestBackend.allCases)
    func orderPerIncidentAndAddress(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), configuration: Self.configuration, now: t0)
            let page = try #require(try await store.claimDueNotifications(now: t0).first)
            try await store.recordAttempt(page, startedAt: t0, finishedAt: t0, statusCode: 200, error: nil, outcome: .sent, rendered: "{}")
            // Acknowledged: a notice to alice, whose delivery fails and will be retried at +30 s.
            _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0.addingTimeInterval(1))
            let notice = try #require(try await store.claimDueNotifications(now: t0.addingTimeInterval(1)).first)
            #expect(notice.event == .acknowledged)
            try await store.recordAttempt(
                notice, startedAt: t0, finishedAt: t0, statusCode: 503, error: nil,
                outcome: .retry(at: t0.addingTimeInterval(30), reason: "HTTP 503"), rendered: "{}")
            // Resolved: the resolved notice to alice waits behind the retrying acknowledgement notice.
            _ = try await store.resolve(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0.addingTimeInterval(2))
            #expect(try await store.claimDueNotifications(now: t0.addingTimeInterval(3)).isEmpty)
            let retried = try await store.claimDueNotifications(now: t0.addingTimeInterval(31))
            #expect(retried.map(\.event) == [.acknowledged])
            #expect(retried.first?.attempts == 2)
            try await store.recordAttempt(
                try #require(retried.first), startedAt: t0, finishedAt: t0, statusCode: 200, error: nil, outcome: .sent, rendered: nil)
            #expect(try await store.claimDueNotifications(now: t0.addingTimeInterval(32)).map(\.event) == [.resolved])
        }
    }

    @Test("a claim takes at most the per-destination room: a saturated destination is passed over, however long its backlog", arguments: TestBackend.allCases)
    func perDestinationLimit(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let configuration = TocsinConfiguration(
                people: [
                    Person(name: "slow", webhooks: ["http://127.0.0.1:1/slow"]), Person(name: "fast", webhooks: ["http://127.0.0.1:2/fast"]),
                    Person(name: "mail", email: "mail@example.com"),
                ],
                routes: [
                    Route(matchers: [try Matcher(parsing: "team=slow")], policy: "slow"),
                    Route(matchers: [try Matcher(parsing: "team=mail")], policy: "mail"), Route(matchers: [], policy: "fast"),
                ],
                policies: ["slow", "fast", "mail"].map { EscalationPolicy(name: $0, steps: [.init(after: 0, notify: [.person($0)])]) })
            func open(_ name: String, team: String, at offset: TimeInterval) async throws {
                let alert = Alert(status: .firing, labels: ["alertname": name, "team": team], startsAt: t0)
                _ = try await store.ingest(
                    AlertBatch(receiver: "r", groupKey: name, status: .firing, alerts: [alert]), configuration: configuration,
                    now: t0.addingTimeInterval(offset))
            }
            for index in 0..<30 { try await open("Slow\(index)", team: "slow", at: Double(index)) }
            try await open("Fast", team: "fast", at: 40)
            try await open("Mail", team: "mail", at: 41)
            let now = t0.addingTimeInterval(60)

            // Nothing in flight: the two oldest to the slow origin, then the others, in due order.
            let first = try await store.claimDueNotifications(
                now: now, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2))
            #expect(first.map(\.destination) == ["http://127.0.0.1:1", "http://127.0.0.1:1", "http://127.0.0.1:2", "email"])
            // The dispatcher's next look: what waits for the saturated origin is not due work (no spinning).
            #expect(try await store.nextDeliveryDue(after: nil).map { $0 <= now } == true)
            #expect(try await store.nextDeliveryDue(after: now).map { $0 > now } == true)
            // The slow origin saturated: its 28 others are passed over; nothing else is due.
            let second = try await store.claimDueNotifications(
                now: now, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2, inFlight: ["http://127.0.0.1:1": 2]))
            #expect(second.isEmpty)
            // One slot free again: exactly one more.
            let third = try await store.claimDueNotifications(
                now: now, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2, inFlight: ["http://127.0.0.1:1": 1]))
            #expect(third.map(\.destination) == ["http://127.0.0.1:1"])
        }
    }

    @Test("a destination that accepts again gets its whole backlog at once, oldest first; other destinations wait", arguments: TestBackend.allCases)
    func backlogDrainsWhenDestinationRecovers(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let configuration = TocsinConfiguration(
                people: [
                    Person(name: "alice", webhooks: ["http://127.0.0.1:9001/alice"]),
                    Person(name: "bob", webhooks: ["http://127.0.0.1:9001?who=bob"]),
                    Person(name: "carol", webhooks: ["http://127.0.0.1:9002/carol"]),
                    Person(name: "dave", email: "dave@example.com"),
                    Person(name: "erin", email: "erin@example.com"),
                ],
                routes: [Route(matchers: [], policy: "p")],
                policies: [EscalationPolicy(name: "p", steps: [
                    .init(after: 0, notify: [.person("alice"), .person("bob"), .person("carol"), .person("dave"), .person("erin")]),
                ])])
            for group in ["a", "b"] {
                let labels = ["alertname": "Outage", "group": group]
                let batch = AlertBatch(
                    receiver: "r", groupKey: group, status: .firing, groupLabels: labels, commonLabels: labels,
                    alerts: [Alert(status: .firing, labels: labels, startsAt: t0)])
                _ = try await store.ingest(batch, configuration: configuration, now: t0)
            }
            // Every destination is down: each page will be retried in 5 minutes, but alice's first one
            // in 10 s, bob's second one in 11 s and dave's first mail in 20 s.
            let claimed = try await store.claimDueNotifications(now: t0)
            #expect(claimed.count == 10)
            let first = try #require(claimed.first { $0.address.hasSuffix("/alice") && $0.incidentID == 1 })
            let mail = try #require(claimed.first { $0.address == "dave@example.com" && $0.incidentID == 1 })
            let bobsSecond = try #require(claimed.first { $0.address.hasSuffix("?who=bob") && $0.incidentID == 2 })
            for entry in claimed {
                let retryAt = t0.addingTimeInterval(entry.id == first.id ? 10 : entry.id == bobsSecond.id ? 11 : entry.id == mail.id ? 20 : 300)
                try await store.recordAttempt(
                    entry, startedAt: t0, finishedAt: t0, statusCode: nil, error: "Couldn't connect",
                    outcome: .retry(at: retryAt, reason: "Couldn't connect"), rendered: "{}")
            }
            let t10 = t0.addingTimeInterval(10)
            let probes = try await store.claimDueNotifications(now: t10)
            #expect(probes.map(\.id) == [first.id])
            let probe = try #require(probes.first)
            // The probe is answered at +12 s: bob's second page fell due on its own timer meanwhile.
            let t12 = t0.addingTimeInterval(12)
            try await store.recordAttempt(probe, startedAt: t10, finishedAt: t12, statusCode: 200, error: nil, outcome: .sent, rendered: nil)
            // 127.0.0.1:9001 is back: alice's and bob's pages go now, in the order they were queued
            // (bob's second one too, though it was due a second earlier); carol's host and the SMTP
            // server have not answered yet.
            let woken = try await store.claimDueNotifications(now: t12)
            #expect(woken.map(\.target) == ["person:bob", "person:alice", "person:bob"])
            #expect(woken.compactMap(\.id) == woken.compactMap(\.id).sorted())
            #expect(woken.allSatisfy { $0.address.hasPrefix("http://127.0.0.1:9001") })
            // One mail accepted by the SMTP server wakes every mail, whatever its address.
            let t20 = t0.addingTimeInterval(20)
            let mailProbe = try #require(try await store.claimDueNotifications(now: t20).first)
            #expect(mailProbe.id == mail.id)
            try await store.recordAttempt(mailProbe, startedAt: t20, finishedAt: t20, statusCode: 250, error: nil, outcome: .sent, rendered: nil)
            let mails = try await store.claimDueNotifications(now: t20)
            #expect(mails.count == 3 && mails.allSatisfy { $0.medium == .email })
            var carols: [OutboxEntry] = []
            for incident: Int64 in [1, 2] {
                carols += try await store.notifications(incidentID: incident).filter { $0.target == "person:carol" }
            }
            #expect(carols.count == 2 && carols.allSatisfy { $0.state == .retry && $0.dueAt == t0.addingTimeInterval(300) }, "carol's host has not answered")
        }
    }

    @Test("a claim whose lease expired is claimed again under the same key; a stale result cannot overwrite it", arguments: TestBackend.allCases)
    func leases(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), configuration: Self.configuration, now: t0)
            let first = try #require(try await store.claimDueNotifications(now: t0, lease: 10).first)
            #expect(try await store.claimDueNotifications(now: t0.addingTimeInterval(5), lease: 10).isEmpty)
            let second = try #require(try await store.claimDueNotifications(now: t0.addingTimeInterval(11), lease: 10).first)
            #expect(second.id == first.id && second.idempotencyKey == first.idempotencyKey)
            // On SQLite the one process retakes its own attempt, which outlived the lease: it started,
            // and counts. On PostgreSQL another instance retakes a dead instance's claim, which may
            // never have started: it counts the attempts on record, as a restart does on SQLite.
            #expect(second.attempts == (backend == .sqlite ? 2 : 1))
            // The first attempt's late answer does not undo the second claim.
            try await store.recordAttempt(first, startedAt: t0, finishedAt: t0.addingTimeInterval(12), statusCode: 200, error: nil, outcome: .sent, rendered: nil)
            #expect(try await store.notifications(incidentID: 1).first?.state == .sending)
            try await store.recordAttempt(second, startedAt: t0, finishedAt: t0.addingTimeInterval(12), statusCode: 200, error: nil, outcome: .sent, rendered: nil)
            #expect(try await store.notifications(incidentID: 1).first?.state == .sent)
            #expect(try await store.deliveryAttempts(incidentID: 1).count == 2)
        }
    }

    @Test("after a crash every `sending` row is retried (at start on SQLite, when its lease runs out on PostgreSQL); only dead rows can be re-queued", arguments: TestBackend.allCases)
    func recovery(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), configuration: Self.configuration, now: t0)
            let claimed = try #require(try await store.claimDueNotifications(now: t0, lease: 600).first)
            let recovered = try await store.recoverInterruptedDeliveries(now: t0.addingTimeInterval(1))
            let retaken: Date
            switch backend {
            case .sqlite:
                #expect(recovered == 1)
                retaken = t0.addingTimeInterval(1)
            case .postgres:
                // Other instances may be delivering what is `sending`: a stopped instance's claim
                // is taken again when its lease runs out, not when some instance starts.
                #expect(recovered == 0)
                #expect(try await store.claimDueNotifications(now: t0.addingTimeInterval(599.999)).isEmpty)
                retaken = t0.addingTimeInterval(600)
            }
            let again = try #require(try await store.claimDueNotifications(now: retaken).first)
            #expect(again.idempotencyKey == claimed.idempotencyKey)
            await #expect(throws: StoreError.self) { try await store.retryDelivery(id: try #require(again.id), now: t0) }
            try await store.recordAttempt(again, startedAt: t0, finishedAt: t0, statusCode: 400, error: nil, outcome: .dead(reason: "HTTP 400"), rendered: nil)
            let requeued = try await store.retryDelivery(id: try #require(again.id), now: t0.addingTimeInterval(2))
            #expect(requeued.state == .pending)
            #expect(try await store.deliveries(states: [.pending]).count == 1)
        }
    }
}
