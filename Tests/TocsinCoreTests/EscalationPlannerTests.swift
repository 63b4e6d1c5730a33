import Foundation
import Testing
import TocsinCore

@Suite("Escalation planner")
struct EscalationPlannerTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    static let directory = TocsinConfiguration(
        people: [
            Person(name: "alice", email: "alice@example.com", webhooks: ["https://hooks.example.com/alice"]),
            Person(name: "bob", email: "bob@example.com"),
            Person(name: "carol", email: "carol@example.com"),
        ],
        channels: [Channel(name: "team-chat", webhooks: ["https://chat.example.com/hook"])])

    static let critical = EscalationPolicy(
        name: "critical-immediate",
        steps: [
            .init(after: 0, notify: [.person("alice")]),
            .init(after: 300, notify: [.person("bob")]),
            .init(after: 900, notify: [.person("carol")]),
        ],
        repeat: 2, repeatAfter: 1800, ackTimeout: 1800)

    static let warning = EscalationPolicy(
        name: "warning-24h",
        steps: [
            .init(after: 0, notify: [.channel("team-chat")], kind: .notify),
            .init(after: 43_200, notify: [.channel("team-chat")], kind: .reminder),
            .init(after: 86_400, notify: [.person("alice")]),
        ])

    func incident(_ state: IncidentState = .triggered, acknowledgedAt: Date? = nil) -> Incident {
        Incident(
            id: 42, title: "Disk almost full on db1", severity: "critical", state: state, source: "alertmanager",
            receiver: "r", groupKey: "k", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0,
            acknowledgedAt: acknowledgedAt, acknowledgedBy: acknowledgedAt == nil ? nil : "bob", alertCount: 1,
            firingCount: 1, truncatedAlerts: 0)
    }

    func start(_ policy: EscalationPolicy) -> Escalation {
        EscalationPlanner.start(
            incidentID: 42, snapshot: PolicySnapshot(policy: policy, configuration: Self.directory), now: t0)
    }

    @Test("the schedule lays out every pass: steps at 0, 5m, 15m, repeated every 30m, twice more")
    func schedule() {
        let schedule = EscalationSchedule(policy: Self.critical)
        #expect(schedule.count == 9)
        let offsets = (0..<9).compactMap { schedule.entry(at: $0)?.offset }
        #expect(offsets == [0, 300, 900, 1800, 2100, 2700, 3600, 3900, 4500])
        #expect(schedule.entry(at: 9) == nil)
    }

    @Test("the first step pages the primary on every contact, then waits for the next step")
    func firstStep() {
        let outcome = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        #expect(outcome.notifications.map(\.contact) == [.email("alice@example.com"), .webhook("https://hooks.example.com/alice")])
        #expect(outcome.notifications.allSatisfy { $0.event == .triggered && $0.urgent })
        #expect(outcome.notifications[0].idempotencyKey
            == "incident-42/critical-immediate/e0/p0/s0/person:alice/" + Contact.email("alice@example.com").keyComponent)
        #expect(!outcome.notifications[0].idempotencyKey.contains("@"), "addresses stay out of keys, logs and headers")
        #expect(outcome.notifications[0].subject == "[CRITICAL] #42 Disk almost full on db1")
        #expect(outcome.events.map(\.kind) == [.notified])
        #expect(outcome.events[0].note?.hasPrefix("page alice (email, webhook)") == true)
        #expect(outcome.escalation.position == 1)
        #expect(outcome.escalation.nextDueAt == t0.addingTimeInterval(300))
    }

    @Test("nothing runs before it is due; running twice at the same instant queues nothing new")
    func notEarlyNotTwice() {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let again = EscalationPlanner.advance(first.escalation, incident: incident(), now: t0.addingTimeInterval(299))
        #expect(again.notifications.isEmpty && again.events.isEmpty)
        #expect(again.escalation == first.escalation)
    }

    /// The critical chain after alice's page at t0, then advanced at `now`, preparing what falls due within `lead`.
    func preparing(at now: Date, lead: TimeInterval = 2) -> (first: EscalationPlanner.Outcome, prepared: EscalationPlanner.Outcome) {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let prepared = EscalationPlanner.advance(
            first.escalation, incident: incident(), now: now, preparingUntil: now.addingTimeInterval(lead))
        return (first, prepared)
    }

    @Test("a step of a triggered incident is prepared ahead: it runs as of its due time and its pages wait until then")
    func preparedAhead() {
        let now = t0.addingTimeInterval(298.5)
        let beyond = preparing(at: now, lead: 1).prepared
        let (first, prepared) = preparing(at: now)
        #expect(beyond.escalation == first.escalation && beyond.notifications.isEmpty && beyond.events.isEmpty,
                "5m is beyond a horizon of 1 s")
        let due = t0.addingTimeInterval(300)
        #expect(prepared.notifications.map(\.contact) == [.email("bob@example.com")])
        #expect(prepared.notifications.allSatisfy { $0.notBefore == due })
        #expect(prepared.events.map(\.at) == [due])
        #expect(prepared.events.map(\.latenessMs) == [0])
        #expect(prepared.escalation.position == 2 && prepared.escalation.nextDueAt == t0.addingTimeInterval(900))
        var onTime = EscalationPlanner.advance(first.escalation, incident: incident(), now: due)
        #expect(onTime.notifications.allSatisfy { $0.notBefore == nil })
        #expect(prepared.prepared && !onTime.prepared && !beyond.prepared)
        for index in onTime.notifications.indices {
            onTime.notifications[index].notBefore = due
        }
        onTime.prepared = true
        #expect(prepared == onTime, "the same step as run at its due time, only held until then")
    }

    @Test("an acknowledgement about to expire is not prepared ahead: the incident stays acknowledged until it expires")
    func expiryNotPrepared() {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let acknowledgedAt = t0.addingTimeInterval(60)
        let paused = EscalationPlanner.acknowledge(first.escalation, now: acknowledgedAt)
        let now = acknowledgedAt.addingTimeInterval(1800 - 1)
        let outcome = EscalationPlanner.advance(
            paused, incident: incident(.acknowledged, acknowledgedAt: acknowledgedAt), now: now,
            preparingUntil: now.addingTimeInterval(2))
        #expect(!outcome.acknowledgementExpired && outcome.events.isEmpty && outcome.notifications.isEmpty)
        #expect(outcome.escalation == paused)
    }

    @Test("a step prepared ahead is taken back when the incident is handled before its due time, and only then")
    func withdrawPrepared() {
        let now = t0.addingTimeInterval(299)
        let (first, prepared) = preparing(at: now)
        #expect(prepared.escalation.position == 2)
        #expect(EscalationPlanner.withdrawPrepared(prepared.escalation, now: now).position == 1)
        #expect(EscalationPlanner.withdrawPrepared(prepared.escalation, now: t0.addingTimeInterval(300)).position == 2,
                "at its due time the step has run")
        #expect(EscalationPlanner.withdrawPrepared(first.escalation, now: now) == first.escalation)
    }

    @Test("steps that fell due while Tocsin was down run at once, each once, with their lateness")
    func catchUp() {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let late = EscalationPlanner.advance(first.escalation, incident: incident(), now: t0.addingTimeInterval(1000))
        #expect(late.notifications.map(\.target) == ["person:bob", "person:carol"])
        #expect(late.notifications.allSatisfy { $0.event == .escalated })
        #expect(late.events.compactMap(\.latenessMs) == [700_000, 100_000])
        #expect(late.events[0].note?.contains("ran 11m40s late") == true)
        #expect(late.escalation.nextDueAt == t0.addingTimeInterval(1800))
    }

    @Test("an acknowledgement pauses escalation until it expires, then the chain restarts in a new epoch")
    func ackTimeout() {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let ackAt = t0.addingTimeInterval(120)
        let paused = EscalationPlanner.acknowledge(first.escalation, now: ackAt)
        #expect(paused.nextDueAt == ackAt.addingTimeInterval(1800))
        let acked = incident(.acknowledged, acknowledgedAt: ackAt)
        let early = EscalationPlanner.advance(paused, incident: acked, now: ackAt.addingTimeInterval(1799))
        #expect(early.notifications.isEmpty && !early.acknowledgementExpired)
        let expiry = ackAt.addingTimeInterval(1800)
        let expired = EscalationPlanner.advance(paused, incident: acked, now: expiry)
        #expect(expired.acknowledgementExpired)
        #expect(expired.events.map(\.kind) == [.acknowledgementExpired, .notified])
        #expect(expired.escalation.epoch == 1 && expired.escalation.position == 1)
        #expect(expired.notifications.first?.idempotencyKey
            == "incident-42/critical-immediate/e1/p0/s0/person:alice/" + Contact.email("alice@example.com").keyComponent)
        #expect(expired.escalation.nextDueAt == expiry.addingTimeInterval(300))
    }

    @Test("without an ack timeout an acknowledgement pauses escalation for good")
    func ackWithoutTimeout() {
        let paused = EscalationPlanner.acknowledge(start(Self.warning), now: t0)
        #expect(paused.nextDueAt == nil)
    }

    @Test("a resolved incident stops escalating")
    func resolvedStops() {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let outcome = EscalationPlanner.advance(first.escalation, incident: incident(.resolved), now: t0.addingTimeInterval(300))
        #expect(outcome.notifications.isEmpty && outcome.escalation.nextDueAt == nil)
        #expect(EscalationPlanner.stop(first.escalation).nextDueAt == nil)
    }

    @Test("after the last step of the last repeat, the timeline says nobody acknowledged")
    func exhaustion() {
        let outcome = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0.addingTimeInterval(5000))
        #expect(outcome.notifications.count == 3 * (2 + 1 + 1))  // alice has two contacts
        #expect(outcome.events.last?.kind == .escalationExhausted)
        #expect(outcome.escalation.nextDueAt == nil)
        #expect(Set(outcome.notifications.map(\.idempotencyKey)).count == outcome.notifications.count)
    }

    @Test("warning-24h: informational notice at once, a reminder at 12h, a page at 24h")
    func warningShape() {
        var escalation = start(Self.warning)
        let now0 = EscalationPlanner.advance(escalation, incident: incident(), now: t0)
        #expect(now0.notifications.map(\.event) == [.triggered] && now0.notifications[0].urgent == false)
        #expect(now0.events[0].note?.hasPrefix("notify channel team-chat (webhook)") == true)
        escalation = now0.escalation
        #expect(escalation.nextDueAt == t0.addingTimeInterval(43_200))
        let reminder = EscalationPlanner.advance(escalation, incident: incident(), now: t0.addingTimeInterval(43_200))
        #expect(reminder.notifications.map(\.event) == [.reminder])
        #expect(reminder.notifications[0].subject.hasSuffix("(reminder)"))
        let page = EscalationPlanner.advance(reminder.escalation, incident: incident(), now: t0.addingTimeInterval(86_400))
        #expect(page.notifications.map(\.event) == [.escalated, .escalated])
        #expect(page.notifications.allSatisfy { $0.urgent && $0.target == "person:alice" })
    }

    @Test("durations are absolute: 24h later is 86,400 s later, across a daylight-saving change")
    func absoluteDurations() throws {
        // 2026-03-28 09:00 in London (GMT) → 24h later is 2026-03-29 10:00 BST, not 09:00.
        let beforeChange = try #require(RFC3339.parse("2026-03-28T09:00:00Z"))
        let escalation = EscalationPlanner.start(
            incidentID: 42, snapshot: PolicySnapshot(policy: Self.warning, configuration: Self.directory), now: beforeChange)
        #expect(escalation.dueDate(of: 2) == beforeChange.addingTimeInterval(86_400))
    }

    @Test("a snapshot keeps the contacts it was taken with; later edits of the directory do not change it")
    func snapshotIsFrozen() {
        let snapshot = PolicySnapshot(policy: Self.critical, configuration: Self.directory)
        var edited = Self.directory
        edited.people[0].email = "new-alice@example.com"
        var escalation = EscalationPlanner.start(incidentID: 42, snapshot: snapshot, now: t0)
        escalation = EscalationPlanner.advance(escalation, incident: incident(), now: t0).escalation
        #expect(escalation.snapshot.contacts["person:alice"]?.first == .email("alice@example.com"))
        #expect(PolicySnapshot(policy: Self.critical, configuration: edited).contacts["person:alice"]?.first
            == .email("new-alice@example.com"))
    }

    @Test("a restart begins a new epoch from the first step, due at once")
    func restart() {
        let first = EscalationPlanner.advance(start(Self.critical), incident: incident(), now: t0)
        let restarted = EscalationPlanner.restart(first.escalation, now: t0.addingTimeInterval(600))
        #expect(restarted.epoch == 1 && restarted.position == 0 && restarted.nextDueAt == t0.addingTimeInterval(600))
    }

    @Test("acknowledge and resolve notices go to everyone paged, once per contact")
    func notices() {
        let drafts = EscalationPlanner.notices(
            .resolved, incident: incident(.resolved),
            recipients: [("person:alice", .email("alice@example.com")), ("person:bob", .email("bob@example.com"))],
            actor: "bob", note: "disk cleaned", epoch: 0)
        #expect(drafts.map(\.event) == [.resolved, .resolved])
        #expect(drafts[0].idempotencyKey == "incident-42/resolved/e0/person:alice/" + Contact.email("alice@example.com").keyComponent)
        #expect(drafts[0].subject == "[RESOLVED] #42 Disk almost full on db1")
        #expect(drafts[0].body.contains("Resolved by bob: disk cleaned"))
    }

    @Test("escalating by hand: the next step falls due now; a chosen step of this pass; none past the end or the steps")
    func escalateNowByHand() throws {
        let policy = EscalationPolicy(
            name: "p", steps: [
                .init(after: 0, notify: [.person("a")]), .init(after: 300, notify: [.person("b")]), .init(after: 900, notify: [.person("c")]),
            ])
        let start = Date(timeIntervalSince1970: 1_795_800_000)
        let now = start.addingTimeInterval(60)
        var escalation = Escalation(
            incidentID: 1, snapshot: PolicySnapshot(policy: policy, configuration: TocsinConfiguration()), startedAt: start, position: 1,
            nextDueAt: start.addingTimeInterval(300))
        let next = try #require(EscalationPlanner.escalateNow(escalation, now: now))
        #expect(next.position == 1 && next.nextDueAt == now && next.startedAt == now.addingTimeInterval(-300))
        #expect(next.dueDate(of: 2) == now.addingTimeInterval(600), "the step after keeps its spacing")
        let first = try #require(EscalationPlanner.escalateNow(escalation, toStep: 1, now: now))
        #expect(first.position == 0 && first.startedAt == now && first.epoch == escalation.epoch)
        #expect(EscalationPlanner.escalateNow(escalation, toStep: 4, now: now) == nil)
        #expect(EscalationPlanner.escalateNow(escalation, toStep: 0, now: now) == nil)
        escalation.position = 3
        #expect(EscalationPlanner.escalateNow(escalation, now: now) == nil, "the chain is spent")
        #expect(EscalationPlanner.escalateNow(escalation, toStep: 3, now: now)?.position == 2)
    }
}
