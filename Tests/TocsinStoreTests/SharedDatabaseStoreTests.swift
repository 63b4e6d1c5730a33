import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Several instances on one PostgreSQL database: any of them takes any batch and runs any step,
/// and the work that must happen once happens once.
@Suite("Instances sharing one PostgreSQL database")
struct SharedDatabaseStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    /// Pages alice at once and bob at 5m.
    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com"), Person(name: "bob", email: "bob@example.com")],
        routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(
            name: "p", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")])])])

    func batch(group: Int, alerts names: [String]) -> AlertBatch {
        AlertBatch(
            receiver: "team", groupKey: "{}:{alertname=\"Group\(group)\"}", status: .firing, groupLabels: ["alertname": "Group\(group)"],
            commonLabels: [:],
            alerts: names.map { Alert(status: .firing, labels: ["alertname": "Group\(group)", "instance": $0], startsAt: t0) })
    }

    @Test("two instances given the same group at the same moment open one incident, paged once, and count both alerts")
    func sameGroupOnTwoInstances() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let groups = 12
            for group in 0..<groups {
                // The two replicas of Alertmanager each send the group; one of them already knows a second alert.
                async let first = stores[0].ingest(batch(group: group, alerts: ["a"]), configuration: Self.configuration, now: t0)
                async let second = stores[1].ingest(batch(group: group, alerts: ["a", "b"]), configuration: Self.configuration, now: t0)
                let (one, two) = try await (first, second)
                #expect(one.incidentID != nil && one.incidentID == two.incidentID, "group \(group)")
            }
            let incidents = try await stores[0].incidents(filter: .all, limit: 100, before: nil).incidents
            #expect(incidents.count == groups)
            for incident in incidents {
                #expect(incident.alertCount == 2 && incident.firingCount == 2, "incident \(incident.id ?? 0)")
                let detail = try await stores[1].incident(id: try #require(incident.id))
                #expect(detail.escalations.count == 1)
                #expect(detail.notifications.map(\.address) == ["alice@example.com"])
                #expect(detail.timeline.filter { $0.kind == .opened }.count == 1)
                #expect(detail.timeline.filter { $0.kind == .notified }.count == 1)
            }
        }
    }

    @Test("two escalators passing over one database at the same moment run each step once")
    func twoEscalators() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let groups = 120
            for group in 0..<groups {
                _ = try await stores[group % 2].ingest(batch(group: group, alerts: ["a"]), configuration: Self.configuration, now: t0)
            }
            let due = t0.addingTimeInterval(300)
            /// Passes of 10 until a pass finds nothing; returns the escalations each pass processed.
            func passes(_ store: PostgresStore) async throws -> [Int] {
                var processed: [Int] = []
                for _ in 0..<100 {
                    let tick = try await store.runDueEscalations(now: due, preparingUntil: nil, limit: 10, configuration: Self.configuration)
                    guard tick.processed > 0 else { break }
                    processed.append(tick.processed)
                }
                return processed
            }
            async let onA = passes(stores[0])
            async let onB = passes(stores[1])
            let (a, b) = try await (onA, onB)
            #expect(a.reduce(0, +) + b.reduce(0, +) == groups, "A ran \(a), B ran \(b)")
            let incidents = try await stores[0].incidents(filter: .all, limit: 500, before: nil).incidents
            #expect(incidents.count == groups)
            for incident in incidents {
                let detail = try await stores[0].incident(id: try #require(incident.id))
                #expect(detail.notifications.map(\.address) == ["alice@example.com", "bob@example.com"], "incident \(incident.id ?? 0)")
                #expect(detail.timeline.filter { $0.kind == .notified }.count == 2, "incident \(incident.id ?? 0)")
                #expect(detail.escalations.first?.position == 2)
            }
        }
    }

    @Test("an acknowledgement on one instance and the escalator on the other: the step runs before it or not at all")
    func acknowledgementRacesEscalator() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let groups = 40
            for group in 0..<groups {
                _ = try await stores[0].ingest(batch(group: group, alerts: ["a"]), configuration: Self.configuration, now: t0)
            }
            let due = t0.addingTimeInterval(300)
            async let escalator: Void = {
                for _ in 0..<100 {
                    let tick = try await stores[0].runDueEscalations(now: due, preparingUntil: nil, limit: 5, configuration: Self.configuration)
                    if tick.processed == 0 { break }
                }
            }()
            async let acknowledgements: Void = {
                for id in 1...Int64(groups) {
                    _ = try await stores[1].acknowledge(id: id, by: Actor(name: "alice", channel: "cli"), note: nil, now: due)
                }
            }()
            _ = try await (escalator, acknowledgements)
            for id in 1...Int64(groups) {
                let detail = try await stores[1].incident(id: id)
                #expect(detail.incident.state == .acknowledged)
                let bob = detail.notifications.filter { $0.address == "bob@example.com" }
                let notified = detail.timeline.filter { $0.kind == .notified }.count
                // Either bob's step ran first (his page, cancelled by the acknowledgement, and his
                // notice of it) or the acknowledgement came first (nothing for bob).
                if notified == 2 {
                    #expect(bob.map(\.event) == [.escalated, .acknowledged], "incident \(id)")
                    #expect(bob.first?.state == .cancelled, "incident \(id)")
                } else {
                    #expect(notified == 1 && bob.isEmpty, "incident \(id)")
                }
                #expect(detail.escalations.first?.nextDueAt != due, "incident \(id): the acknowledgement paused the chain")
            }
        }
    }

    @Test("two instances claiming at the same moment never claim one page twice")
    func claimsAreDisjoint() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let groups = 100
            for group in 0..<groups {
                _ = try await stores[group % 2].ingest(batch(group: group, alerts: ["a"]), configuration: Self.configuration, now: t0)
            }
            func claims(_ store: PostgresStore) async throws -> [Int64] {
                var claimed: [Int64] = []
                for _ in 0..<100 {
                    let turn = try await store.claimDueNotifications(now: t0, limit: 7, lease: 30)
                    guard !turn.isEmpty else { break }
                    claimed += turn.compactMap(\.id)
                }
                return claimed
            }
            async let onA = claims(stores[0])
            async let onB = claims(stores[1])
            let (a, b) = try await (onA, onB)
            #expect(Set(a).isDisjoint(with: b), "claimed by both: \(Set(a).intersection(b).sorted())")
            #expect(a.count + b.count == groups && Set(a + b).count == groups)
        }
    }

    @Test("a page claimed by an instance that dies goes out from another once the lease runs out, with the same key; the late answer changes nothing")
    func leaseOfADeadInstance() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            _ = try await stores[0].ingest(batch(group: 1, alerts: ["a"]), configuration: Self.configuration, now: t0)
            let onA = try #require(try await stores[0].claimDueNotifications(now: t0, limit: 10, lease: 30).first)
            // A dies holding the claim: B finds nothing while the lease holds, then takes it.
            #expect(try await stores[1].claimDueNotifications(now: t0.addingTimeInterval(29.999), limit: 10, lease: 30).isEmpty)
            #expect(try await stores[1].nextDeliveryDue(after: t0) == t0.addingTimeInterval(30))
            let onB = try #require(try await stores[1].claimDueNotifications(now: t0.addingTimeInterval(30), limit: 10, lease: 30).first)
            #expect(onB.id == onA.id && onB.idempotencyKey == onA.idempotencyKey)
            // A's attempt is not on record: B counts it as never made (A may have died before it).
            #expect(onA.attempts == 1 && onB.attempts == 1)
            // A's attempt, if it ever answers, is recorded but does not end B's claim.
            try await stores[0].recordAttempt(
                onA, startedAt: t0, finishedAt: t0.addingTimeInterval(31), statusCode: nil, error: "timed out",
                outcome: .retry(at: t0.addingTimeInterval(60), reason: "timed out"), rendered: nil)
            #expect(try await stores[1].notifications(incidentID: 1).first?.state == .sending)
            try await stores[1].recordAttempt(
                onB, startedAt: t0.addingTimeInterval(30), finishedAt: t0.addingTimeInterval(30.2), statusCode: 200, error: nil,
                outcome: .sent, rendered: "{}")
            let page = try #require(try await stores[0].notifications(incidentID: 1).first)
            #expect(page.state == .sent && page.attempts == 1)
            let attempts = try await stores[0].deliveryAttempts(incidentID: 1)
            #expect(attempts.map(\.outcome) == ["retry", "sent"] && attempts.map(\.attempt) == [1, 1], "A's late answer and B's, each under its claim's number")
        }
    }

    @Test("two instances looking at a missed heartbeat at the same moment open its incident once")
    func missedHeartbeatOnTwoInstances() async throws {
        var configuration = Self.configuration
        var watchdog = Heartbeat(name: "watchdog", interval: 60, grace: 60)
        watchdog.labels = ["severity": "critical"]
        configuration.heartbeats = [watchdog]
        let watched = configuration
        try await TestBackend.withPostgresStores(2) { stores in
            let configuration = watched
            _ = try await stores[0].recordBeat(watchdog, configuration: configuration, now: t0)
            async let onA = stores[0].checkHeartbeats(configuration: configuration, now: t0.addingTimeInterval(121))
            async let onB = stores[1].checkHeartbeats(configuration: configuration, now: t0.addingTimeInterval(121))
            let (a, b) = try await (onA, onB)
            #expect(a.missed + b.missed == ["watchdog"], "A: \(a.missed), B: \(b.missed)")
            let incidents = try await stores[0].incidents(filter: .all, limit: 10, before: nil).incidents
            #expect(incidents.count == 1)
            let id = try #require(incidents.first?.id)
            #expect(try await stores[1].notifications(incidentID: id).map(\.address) == ["alice@example.com"])
            // A beat on either instance resolves it.
            let beat = try await stores[1].recordBeat(watchdog, configuration: configuration, now: t0.addingTimeInterval(130))
            #expect(beat.recovery?.state == .resolved)
        }
    }
}
