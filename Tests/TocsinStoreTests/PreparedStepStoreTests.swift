import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Steps prepared ahead of their due time, in a real database: held in the outbox until due,
/// taken back when the incident is handled first.
@Suite("Escalation steps prepared ahead, on SQLite and PostgreSQL")
struct PreparedStepStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    var due: Date { t0.addingTimeInterval(300) }

    static let people = [
        Person(name: "alice", email: "alice@example.com"), Person(name: "bob", email: "bob@example.com"),
        Person(name: "carol", email: "carol@example.com"),
    ]

    /// alice, bob and carol, with every alert routed to `policy`.
    static func routing(to policy: EscalationPolicy) -> TocsinConfiguration {
        TocsinConfiguration(people: people, routes: [Route(matchers: [], policy: policy.name)], policies: [policy])
    }

    /// Pages alice at once and bob at 5m.
    static let configuration = routing(to: EscalationPolicy(
        name: "p", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")])],
        ackTimeout: 1800))

    /// Opens incident 1 at t0 from `fixture`.
    func open(_ store: any StateStore, _ fixture: String = "webhook-01-firing-critical-single",
              configuration: TocsinConfiguration = Self.configuration) async throws {
        _ = try await store.ingest(try Fixtures.batch(fixture), configuration: configuration, now: t0)
    }

    /// One pass of the escalator at `now`, preparing what falls due within 2 s.
    @discardableResult
    func pass(_ store: any StateStore, at now: Date, configuration: TocsinConfiguration = Self.configuration) async throws
        -> EscalationTick
    {
        try await store.runDueEscalations(now: now, preparingUntil: now.addingTimeInterval(2), configuration: configuration)
    }

    /// Bob's step ran and stays: its event, and its page, not yet sent when acknowledged, cancelled
    /// as any page; both alice and bob hear of the acknowledgement.
    func expectBobsStepKept(_ detail: IncidentDetail, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(detail.timeline.filter { $0.kind == .notified }.count == 2, sourceLocation: sourceLocation)
        #expect(detail.notifications.filter { $0.event == .escalated }.map(\.state) == [.cancelled], sourceLocation: sourceLocation)
        #expect(Set(detail.notifications.filter { $0.event == .acknowledged }.map(\.address))
            == ["alice@example.com", "bob@example.com"], sourceLocation: sourceLocation)
        #expect(detail.escalations[0].position == 2, sourceLocation: sourceLocation)
    }

    /// An incident paging alice at t0, with bob's step (due at 5m) prepared 1.5 s ahead.
    func openWithPreparedStep(_ store: any StateStore) async throws -> Date {
        try await open(store)
        let now = due.addingTimeInterval(-1.5)
        let tick = try await pass(store, at: now)
        #expect(tick.processed == 1 && tick.queued == 1 && tick.preparedDueTimes == [due] && tick.latenessMs.isEmpty)
        return now
    }

    @Test("the escalator looks 2 s early; the prepared page waits in the outbox until its due time", arguments: TestBackend.allCases)
    func heldUntilDue(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            #expect(try await store.nextEscalationDue(preparingAhead: 2) == due.addingTimeInterval(-2))
            #expect(try await store.nextEscalationDue() == due)
            #expect(try await pass(store, at: due.addingTimeInterval(-2.5)).processed == 0)

            let now = due.addingTimeInterval(-1.5)
            var tick = try await pass(store, at: now)
            #expect(tick.queued == 1 && tick.preparedDueTimes == [due])
            // Its lateness counts from the commit: none when it committed before the due time.
            var committedLate = tick
            committedLate.recordPreparedSteps(committedAt: due.addingTimeInterval(0.25))
            #expect(committedLate.latenessMs == [250])
            tick.recordPreparedSteps(committedAt: now.addingTimeInterval(0.01))
            #expect(tick.latenessMs == [0] && tick.preparedDueTimes.isEmpty)
            let page = try #require(try await store.notifications(incidentID: 1).last)
            #expect(page.address == "bob@example.com" && page.state == .pending && page.dueAt == due)
            if let store = store as? TocsinStore {
                #expect(try await store.claimDueNotifications(now: now).map(\.address) == ["alice@example.com"])
                #expect(try await store.claimDueNotifications(now: due.addingTimeInterval(-0.01)).isEmpty)
                #expect(try await store.claimDueNotifications(now: due).map(\.address) == ["bob@example.com"])
            }

            let detail = try await store.incident(id: 1)
            #expect(detail.timeline.filter { $0.kind == .notified }.map(\.at) == [t0, due])
            #expect(detail.escalations[0].position == 2 && detail.escalations[0].nextDueAt == nil)
            #expect(try await store.runDueEscalations(now: due, configuration: Self.configuration).processed == 0,
                    "the step does not run a second time when it falls due")
        }
    }

    @Test("an acknowledgement before the due time takes the prepared step back: no page, no timeline entry, no notice to bob", arguments: TestBackend.allCases)
    func acknowledgementWithdraws(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let prepared = try await openWithPreparedStep(store)
            let acknowledgedAt = prepared.addingTimeInterval(1)
            _ = try await store.acknowledge(
                id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: acknowledgedAt)
            let detail = try await store.incident(id: 1)
            #expect(!detail.notifications.contains { $0.address == "bob@example.com" })
            #expect(detail.notifications.filter { $0.event == .acknowledged }.map(\.address) == ["alice@example.com"])
            #expect(detail.timeline.filter { $0.kind == .notified }.count == 1)
            #expect(detail.timeline.allSatisfy { $0.at <= acknowledgedAt })
            #expect(detail.escalations[0].position == 1, "back to bob's step")
            #expect(detail.escalations[0].nextDueAt == acknowledgedAt.addingTimeInterval(1800))

            // An expiring acknowledgement is not prepared ahead.
            let expiry = acknowledgedAt.addingTimeInterval(1800)
            #expect(try await store.nextEscalationDue(preparingAhead: 2) == expiry)
            #expect(try await pass(store, at: expiry.addingTimeInterval(-1)).processed == 0)
            #expect(try await store.incident(id: 1).incident.state == .acknowledged)
        }
    }

    @Test("a resolve before the due time takes the prepared step back; only alice hears of it", arguments: TestBackend.allCases)
    func resolveWithdraws(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let prepared = try await openWithPreparedStep(store)
            _ = try await store.resolve(
                id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: prepared.addingTimeInterval(1))
            let detail = try await store.incident(id: 1)
            #expect(detail.notifications.map(\.address) == ["alice@example.com", "alice@example.com"])
            #expect(detail.notifications.map(\.event) == [.triggered, .resolved])
            #expect(detail.timeline.filter { $0.kind == .notified }.count == 1)
            #expect(detail.escalations[0].nextDueAt == nil)
        }
    }

    @Test("an acknowledgement after the due time leaves the step that ran", arguments: TestBackend.allCases)
    func acknowledgementAfterDueKeepsStep(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await openWithPreparedStep(store)
            _ = try await store.acknowledge(
                id: 1, by: Actor(name: "bob", channel: "cli"), note: nil, now: due.addingTimeInterval(0.5))
            let detail = try await store.incident(id: 1)
            expectBobsStepKept(detail)
        }
    }

    @Test("two steps prepared inside the lead are both taken back by an acknowledgement before either is due", arguments: TestBackend.allCases)
    func twoPreparedStepsWithdrawn(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let configuration = Self.routing(to: EscalationPolicy(
                name: "p",
                steps: [
                    .init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")]),
                    .init(after: 301, notify: [.person("carol")]),
                ],
                ackTimeout: 1800))
            try await open(store, configuration: configuration)
            let now = due.addingTimeInterval(-1)
            try await pass(store, at: now, configuration: configuration)
            try await pass(store, at: now, configuration: configuration)
            #expect(try await store.notifications(incidentID: 1).map(\.address)
                == ["alice@example.com", "bob@example.com", "carol@example.com"])
            #expect(try await store.incident(id: 1).escalations[0].position == 3)

            _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: now)
            let detail = try await store.incident(id: 1)
            #expect(detail.notifications.map(\.address) == ["alice@example.com", "alice@example.com"])
            #expect(detail.notifications.map(\.event) == [.triggered, .acknowledged])
            #expect(detail.timeline.filter { $0.kind == .notified || $0.kind == .escalationExhausted }.count == 1)
            #expect(detail.escalations[0].position == 1)
        }
    }

    @Test("Alertmanager resolving the incident before the due time takes the prepared step back", arguments: TestBackend.allCases)
    func ingestResolveWithdraws(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let prepared = try await openWithPreparedStep(store)
            _ = try await store.ingest(
                try Fixtures.batch("webhook-08-resolved-critical-single"), configuration: Self.configuration,
                now: prepared.addingTimeInterval(1))
            let detail = try await store.incident(id: 1)
            #expect(detail.incident.state == .resolved)
            #expect(detail.notifications.map(\.event) == [.triggered, .resolved])
            #expect(detail.notifications.allSatisfy { $0.address == "alice@example.com" })
            #expect(detail.timeline.filter { $0.kind == .notified }.count == 1)
        }
    }

    @Test("after the clock was set back, an acknowledgement takes back nothing that ran at its due time", arguments: TestBackend.allCases)
    func clockSetBackKeepsHistory(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            #expect(try await store.runDueEscalations(now: due, configuration: Self.configuration).queued == 1)
            // The clock is set back 100 s; the steps at 0s and 5m now look as if they were in the future.
            _ = try await store.acknowledge(
                id: 1, by: Actor(name: "bob", channel: "cli"), note: nil, now: due.addingTimeInterval(-100))
            let detail = try await store.incident(id: 1)
            expectBobsStepKept(detail)
        }
    }

    @Test("an on-call override added before the due time takes the prepared page back; it is prepared again for the new person", arguments: TestBackend.allCases)
    func overrideRepreparesStep(backend: TestBackend) async throws {
        try await backend.withStore { store in
            var configuration = Self.routing(to: EscalationPolicy(
                name: "p", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.oncall("ops", next: false)])]))
            configuration.schedules = [
                try OnCallSchedule(name: "ops", timeZone: "UTC", layers: [
                    try ScheduleLayer(
                        name: "primary", people: ["carol"], shift: .daily, handoff: try LocalTime(hour: 9, minute: 0),
                        start: try LocalDate(year: 2026, month: 11, day: 1), restrictions: []),
                ])
            ]
            try await open(store, configuration: configuration)
            try await pass(store, at: due.addingTimeInterval(-1.5), configuration: configuration)
            #expect(try await store.notifications(incidentID: 1).last?.address == "carol@example.com")

            // bob takes the pager from now on, a second before the step is due.
            let takeover = due.addingTimeInterval(-1)
            _ = try await store.addOverride(StoredOverride(
                schedule: "ops", person: "bob", startsAt: takeover, endsAt: due.addingTimeInterval(3600), note: nil,
                createdBy: "bob", createdAt: takeover))
            var detail = try await store.incident(id: 1)
            #expect(detail.notifications.map(\.address) == ["alice@example.com"])
            #expect(detail.escalations[0].position == 1 && detail.escalations[0].nextDueAt == due)

            try await pass(store, at: takeover.addingTimeInterval(0.5), configuration: configuration)
            detail = try await store.incident(id: 1)
            #expect(detail.notifications.map(\.address) == ["alice@example.com", "bob@example.com"])
            #expect(detail.notifications.last?.dueAt == due)
            #expect(detail.timeline.filter { $0.kind == .notified }.count == 2)
        }
    }

    @Test("the timeline reads in time order when an alert joins between the preparation and the due time", arguments: TestBackend.allCases)
    func timelineInTimeOrder(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store, "webhook-04-firing-grouped-2-alerts")
            try await pass(store, at: due.addingTimeInterval(-1.5))
            let joined = due.addingTimeInterval(-1)
            _ = try await store.ingest(
                try Fixtures.batch("webhook-05-firing-group-grew-to-3-alerts"), configuration: Self.configuration, now: joined)
            let timeline = try await store.incident(id: 1).timeline
            #expect(timeline.contains { $0.at == joined }, "the new alert is on the timeline")
            #expect(timeline.map(\.at) == timeline.map(\.at).sorted())
            #expect(timeline.last?.kind == .escalationExhausted && timeline.last?.at == due)
        }
    }

    @Test("the next look finds an acknowledgement's expiry behind many steps of triggered incidents, and a step within the lead before it", arguments: TestBackend.allCases)
    func nextLookAmongManyTimers(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let configuration = Self.routing(to: EscalationPolicy(
                name: "p", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")])],
                ackTimeout: 60))
            for group in 0...50 {
                let labels = ["alertname": "Open\(group)"]
                _ = try await store.ingest(
                    AlertBatch(receiver: "r", groupKey: "g\(group)", status: .firing, alerts: [Alert(status: .firing, labels: labels, startsAt: t0)]),
                    configuration: configuration, now: t0)
            }
            // Incident 1 acknowledged at 239 s: it expires at 299 s, but the others' steps are prepared from 298 s.
            _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0.addingTimeInterval(239))
            #expect(try await store.nextEscalationDue(preparingAhead: 2) == t0.addingTimeInterval(298))
            #expect(try await store.nextEscalationDue() == t0.addingTimeInterval(299))
            // Incident 2 acknowledged at 200 s expires at 260 s, before everything else.
            _ = try await store.acknowledge(id: 2, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0.addingTimeInterval(200))
            #expect(try await store.nextEscalationDue(preparingAhead: 2) == t0.addingTimeInterval(260))
        }
    }
}
