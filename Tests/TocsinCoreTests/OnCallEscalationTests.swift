import Foundation
import Testing
import TocsinCore

/// `oncall:` targets: resolved when their step runs, through schedules and overrides.
@Suite("On-call targets in escalation")
struct OnCallEscalationTests {
    typealias F = ScheduleFixture
    /// Monday 2026-11-30 08:00 UTC. Daily 09:00 London handoffs from 2026-11-23 in the order alice, bob,
    /// carol: the shift that began on the 29th (alice's) runs until 09:00 on the 30th (bob's day).
    let t0 = F.utc("2026-11-30T08:00:00Z")

    var configuration: TocsinConfiguration {
        var configuration = TocsinConfiguration(
            people: [
                Person(name: "alice", email: "alice@example.com"),
                Person(name: "bob", email: "bob@example.com"),
                Person(name: "carol"),
            ],
            policies: [
                EscalationPolicy(
                    name: "oncall",
                    steps: [
                        .init(after: 0, notify: [.oncall("ops", next: false)]),
                        .init(after: 7200, notify: [.oncall("ops", next: true)]),
                    ])
            ])
        configuration.schedules = [
            F.schedule([F.layer(people: ["alice", "bob", "carol"], start: F.date(2026, 11, 23))])
        ]
        return configuration
    }

    func incident() -> Incident {
        Incident(
            id: 7, title: "t", severity: "critical", state: .triggered, source: "s", receiver: "r", groupKey: "k",
            groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: 1, firingCount: 1, truncatedAlerts: 0)
    }

    func start() -> Escalation {
        let policy = configuration.policies[0]
        return EscalationPlanner.start(incidentID: 7, snapshot: PolicySnapshot(policy: policy, configuration: configuration), now: t0)
    }

    @Test("the step pages whoever is on call when it runs, names them on the timeline, and keys the page to them")
    func resolvesWhenTheStepRuns() {
        let outcome = EscalationPlanner.advance(start(), incident: incident(), now: t0, onCall: OnCallDirectory(configuration: configuration, overrides: []))
        #expect(outcome.notifications.map(\.target) == ["person:alice"])
        #expect(outcome.notifications.map(\.contact) == [.email("alice@example.com")])
        #expect(outcome.notifications[0].idempotencyKey.contains("/oncall:ops/person:alice/"))
        #expect(outcome.events.first?.note?.contains("alice, on call for ops (email)") == true)
    }

    @Test("after the handoff, the next step pages the next person in rotation; an override wins over the layer")
    func handoffAndOverride() {
        let first = EscalationPlanner.advance(start(), incident: incident(), now: t0, onCall: OnCallDirectory(configuration: configuration, overrides: []))
        // +2h = 10:00 UTC: bob took over at 09:00; `next` is carol (who has no contact: unreachable, said so).
        let later = t0.addingTimeInterval(7200)
        let second = EscalationPlanner.advance(first.escalation, incident: incident(), now: later, onCall: OnCallDirectory(configuration: configuration, overrides: []))
        #expect(second.notifications.isEmpty)
        #expect(second.events.first?.note?.contains("unreachable (no contact): oncall:ops:next → carol") == true)

        // An override puts alice on call for an hour from 10:00; then the rotation (bob) applies again.
        let override = ScheduleOverride(id: 1, scheduleName: "ops", person: "alice", from: later, until: later.addingTimeInterval(3600))
        let directory = OnCallDirectory(configuration: configuration, overrides: [override])
        #expect(directory.resolve(schedule: "ops", next: false, at: later)?.person == "alice")
        #expect(directory.resolve(schedule: "ops", next: false, at: later)?.source == .override(id: 1))
        #expect(directory.resolve(schedule: "ops", next: false, at: later.addingTimeInterval(3600))?.person == "bob")
    }

    @Test("an unknown schedule or an empty directory reaches nobody, and says so")
    func nobodyOnCall() {
        let outcome = EscalationPlanner.advance(start(), incident: incident(), now: t0)
        #expect(outcome.notifications.isEmpty)
        #expect(outcome.events.first?.note?.contains("unreachable (no contact): oncall:ops (nobody on call)") == true)
    }

    @Test("a drill incident's on-call page goes to the drill receiver, never to the person")
    func drillRedirect() {
        var escalation = start()
        escalation.snapshot = escalation.snapshot.forDrill(
            DrillRun(id: "d1", name: "x", receiverURL: "http://127.0.0.1:9/", realTargets: false, startedBy: "a", startedAt: t0))
        let outcome = EscalationPlanner.advance(escalation, incident: incident(), now: t0, onCall: OnCallDirectory(configuration: configuration, overrides: []))
        #expect(outcome.notifications.map(\.contact) == [.webhook("http://127.0.0.1:9/email/person:alice")])
    }

    @Test("policy check proves reachability over time: gaps and people without contacts, with their times")
    func reachability() {
        var configuration = configuration
        // Weekdays 09:00–17:00 only: nights and weekends are gaps for the first step.
        configuration.schedules = [
            F.schedule([F.layer(
                people: ["alice", "bob"], start: F.date(2026, 11, 23),
                restrictions: [F.restriction(Weekday.weekdays, F.time(9), F.time(17))])])
        ]
        let problems = configuration.reachabilityProblems(from: F.utc("2026-12-04T12:00:00Z"), days: 3).map(\.message)
        // Friday 17:00 London (17:00Z in winter) to Monday 09:00 is one gap for step 1.
        #expect(problems.contains { $0.contains("step 1 (after 0s) reaches nobody from 2026-12-04T17:00:00.000Z to 2026-12-07T09:00:00.000Z: nobody is on call for ops") },
                "\(problems)")

        // Around the clock, but carol (no contact) has every third day.
        let problems2 = self.configuration.reachabilityProblems(from: t0, days: 4).map(\.message)
        #expect(problems2.contains { $0.contains("step 1 (after 0s) reaches nobody from 2026-12-01T09:00:00.000Z to 2026-12-02T09:00:00.000Z: carol, on call for ops, has no contact method") },
                "\(problems2)")
        #expect(TocsinConfiguration().reachabilityProblems(from: t0).isEmpty)
    }
}
