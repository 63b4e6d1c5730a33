import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Personal notification rules in a real database: each later rule is a notification due its delay
/// after the step, durable in the outbox, stopped by an acknowledgement, and kept when a step
/// prepared ahead is taken back.
@Suite("Notification rules in the outbox, on SQLite and PostgreSQL")
struct NotificationRuleStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    /// alice: webhook and email at once, a text at 2m, a call at 5m. bob: email only, no rules.
    static let people = [
        Person(
            name: "alice", email: "alice@example.com", webhooks: ["https://hooks.example.com/alice"], phone: "+441632960001",
            notify: [
                NotificationRule(after: 0, via: [.webhook, .email]), NotificationRule(after: 120, via: [.sms]),
                NotificationRule(after: 300, via: [.voice]),
            ]),
        Person(name: "bob", email: "bob@example.com", phone: "+441632960002"),
    ]

    /// alice at once, bob at 10m.
    static let configuration = TocsinConfiguration(
        people: people, routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 600, notify: [.person("bob")])])])

    func open(_ store: any StateStore) async throws {
        _ = try await store.ingest(
            try Fixtures.batch("webhook-01-firing-critical-single"), configuration: Self.configuration, now: t0)
    }

    @Test("a step pages by the person's rules: each later rule due its delay after the step, each with its own key", arguments: TestBackend.allCases)
    func rulesQueued(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            let pages = try await store.notifications(incidentID: 1)
            #expect(pages.map(\.medium) == [.email, .webhook, .sms, .voice])
            #expect(pages.map { $0.dueAt.timeIntervalSince(t0) } == [0, 0, 120, 300])
            #expect(pages.map(\.address).suffix(2) == ["+441632960001", "+441632960001"])
            #expect(Set(pages.map(\.idempotencyKey)).count == 4)
            #expect(pages[2].idempotencyKey.hasSuffix("/r1") && pages[3].idempotencyKey.hasSuffix("/r2"))
            let note = try #require(try await store.incident(id: 1).timeline.last { $0.kind == .notified }?.note)
            #expect(note.contains("alice (email, webhook, sms after 2m, voice after 5m)"), "\(note)")
        }
    }

    @Test("a person without rules gets every method at once but a call", arguments: TestBackend.allCases)
    func noRules(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            _ = try await store.runDueEscalations(now: t0.addingTimeInterval(600), configuration: Self.configuration)
            let bob = try await store.notifications(incidentID: 1).filter { $0.target == "person:bob" }
            #expect(bob.map(\.medium) == [.email, .sms])
            #expect(bob.allSatisfy { $0.dueAt == t0.addingTimeInterval(600) })
        }
    }

    @Test("an acknowledgement before the text cancels the text and the call, and only those paged hear of it", arguments: TestBackend.allCases)
    func acknowledgementStopsRules(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0.addingTimeInterval(60))
            let all = try await store.notifications(incidentID: 1)
            let pages = all.filter(\.event.isPage)
            #expect(pages.filter { $0.medium == .sms || $0.medium == .voice }.map(\.state) == [.cancelled, .cancelled])
            // The acknowledgement notice goes to the webhook and the email (paged), not to the phone (its
            // text was never due), and never by a call.
            #expect(all.filter { $0.event == .acknowledged }.map(\.medium) == [.email, .webhook])
        }
    }

    @Test("after the text was due, the acknowledgement notice goes by text too, but never by a call", arguments: TestBackend.allCases)
    func noticeByText(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "sms"), note: nil, now: t0.addingTimeInterval(200))
            let notices = try await store.notifications(incidentID: 1).filter { $0.event == .acknowledged }
            #expect(notices.map(\.medium) == [.email, .webhook, .sms])
        }
    }

    @Test("taking back a step prepared ahead keeps the later rules of the step that already ran", arguments: TestBackend.allCases)
    func withdrawKeepsRulesOfRunSteps(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(store)
            // bob's step (due at 10m) prepared 1.5 s ahead, then a reload takes prepared steps back.
            let now = t0.addingTimeInterval(600 - 1.5)
            let tick = try await store.runDueEscalations(
                now: now, preparingUntil: now.addingTimeInterval(2), configuration: Self.configuration)
            #expect(tick.preparedDueTimes == [t0.addingTimeInterval(600)])
            try await store.withdrawPreparedSteps(now: now)
            let pages = try await store.notifications(incidentID: 1)
            #expect(pages.filter { $0.target == "person:bob" }.isEmpty, "bob's prepared step is taken back")
            #expect(pages.filter { $0.target == "person:alice" }.map(\.medium) == [.email, .webhook, .sms, .voice])
        }
    }

    @Test("a rule of a step prepared ahead is due its delay after the step, and taken back with it", arguments: TestBackend.allCases)
    func preparedStepRules(backend: TestBackend) async throws {
        try await backend.withStore { store in
            // alice is paged by the second step here, at 5m.
            var configuration = Self.configuration
            configuration.policies = [EscalationPolicy(
                name: "p", steps: [.init(after: 0, notify: [.person("bob")]), .init(after: 300, notify: [.person("alice")])])]
            _ = try await store.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), configuration: configuration, now: t0)
            let now = t0.addingTimeInterval(300 - 1.5)
            _ = try await store.runDueEscalations(now: now, preparingUntil: now.addingTimeInterval(2), configuration: configuration)
            let alice = try await store.notifications(incidentID: 1).filter { $0.target == "person:alice" }
            #expect(alice.map { $0.dueAt.timeIntervalSince(t0) } == [300, 300, 420, 600])
            try await store.withdrawPreparedSteps(now: now)
            #expect(try await store.notifications(incidentID: 1).filter { $0.target == "person:alice" }.isEmpty)
        }
    }
}

/// What Twilio's status callbacks do to a text or a call it had accepted.
@Suite("Twilio status callbacks in the outbox, on SQLite and PostgreSQL")
struct PhoneStatusStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    static let policy = DeliveryPolicy(maxAttempts: 2, maxAge: 3600, initialBackoff: 10, jitter: 0)

    /// Incident 1 pages bob (email and a text, no rules); his text is claimed and sent; its id.
    func sentText(_ store: any StateStore) async throws -> Int64 {
        _ = try await store.ingest(
            try Fixtures.batch("webhook-01-firing-critical-single"), configuration: NotificationRuleStoreTests.configuration
                .routed(to: "bob"), now: t0)
        let text = try #require(try await store.notifications(incidentID: 1).first { $0.medium == .sms })
        try await send(store, now: t0)
        return try #require(text.id)
    }

    /// Claims what is due at `now` and records every claimed notification sent (Twilio took it).
    func send(_ store: any StateStore, now: Date) async throws {
        for entry in try await store.claimDueNotifications(now: now) {
            try await store.recordAttempt(
                entry, startedAt: now, finishedAt: now, statusCode: 201, error: nil, outcome: .sent, rendered: nil)
        }
    }

    @Test("undelivered is a failed attempt: retried by the policy, then dead; delivered changes nothing", arguments: TestBackend.allCases)
    func failedIsRetried(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let id = try await sentText(store)
            #expect(try await store.recordPhoneStatus(
                deliveryID: id, status: "delivered", errorCode: nil, policy: Self.policy, now: t0, random: 0.5) == .none)
            let retry = try await store.recordPhoneStatus(
                deliveryID: id, status: "undelivered", errorCode: "30003", policy: Self.policy, now: t0.addingTimeInterval(5), random: 0.5)
            #expect(retry == .retry(at: t0.addingTimeInterval(15)))
            let entry = try #require(try await store.notifications(incidentID: 1).first { $0.id == id })
            #expect(entry.state == .retry && entry.lastError == "Twilio: undelivered (error 30003)")
            // A second failure after its second attempt: dead (two attempts at most).
            try await send(store, now: t0.addingTimeInterval(15))
            let dead = try await store.recordPhoneStatus(
                deliveryID: id, status: "failed", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(20), random: 0.5)
            #expect(dead == .dead(reason: "Twilio: failed (gave up after 2 attempts)"))
        }
    }

    @Test("a late failure about an earlier attempt changes nothing: the callback names its attempt")
    func staleCallback() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        let id = try await sentText(store)
        #expect(try await store.recordPhoneStatus(
            deliveryID: id, attempt: 1, status: "undelivered", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(5), random: 0.5)
            == .retry(at: t0.addingTimeInterval(15)))
        try await send(store, now: t0.addingTimeInterval(15))
        let before = try await DatabaseSnapshot.take(test.store)
        // Twilio's second callback about the first text (a failed one after undelivered) comes late.
        #expect(try await store.recordPhoneStatus(
            deliveryID: id, attempt: 1, status: "failed", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(16), random: 0.5)
            == .stale)
        #expect(try await DatabaseSnapshot.take(test.store) == before)
        // The second text's own failure counts.
        #expect(try await store.recordPhoneStatus(
            deliveryID: id, attempt: 2, status: "failed", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(20), random: 0.5)
            == .dead(reason: "Twilio: failed (gave up after 2 attempts)"))
    }

    @Test("a text's failure reported by Twilio is recorded under its attempt: a restart counts attempts, not rows (SQLite: PostgreSQL recovers by the lease)")
    func recoveryAfterAPhoneFailure() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        let id = try await sentText(store)
        _ = try await store.recordPhoneStatus(
            deliveryID: id, attempt: 1, status: "undelivered", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(5), random: 0.5)
        let again = try #require(try await store.claimDueNotifications(now: t0.addingTimeInterval(15)).first { $0.id == id })
        #expect(again.attempts == 2)
        #expect(try await store.recoverInterruptedDeliveries(now: t0.addingTimeInterval(16)) == 1)
        let recovered = try #require(try await store.notifications(incidentID: 1).first { $0.id == id })
        #expect(recovered.attempts == 1 && recovered.state == .retry, "one attempt on record (its two rows: sent, then undelivered)")
    }

    @Test("a text accepted before its incident was reassigned, then undelivered, is not sent again", arguments: TestBackend.allCases)
    func failureAfterReassignment(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(
                try Fixtures.batch("webhook-01-firing-critical-single"), configuration: NotificationRuleStoreTests.configuration
                    .routed(to: "bob"), now: t0)
            let text = try #require(try await store.claimDueNotifications(now: t0).first { $0.medium == .sms })
            let configuration = NotificationRuleStoreTests.configuration.routed(to: "bob")
            _ = try await store.reassign(
                incident: 1, ManualPage(policy: try #require(configuration.policies.first?.name)), by: Actor(name: "alice", channel: "cli"),
                now: t0.addingTimeInterval(1), configuration: configuration)
            try await store.recordAttempt(
                text, startedAt: t0, finishedAt: t0.addingTimeInterval(1), statusCode: 201, error: nil, outcome: .sent, rendered: nil)
            let change = try await store.recordPhoneStatus(
                deliveryID: try #require(text.id), attempt: 1, status: "undelivered", errorCode: nil, policy: Self.policy,
                now: t0.addingTimeInterval(5), random: 0.5)
            #expect(change == .notNeeded)
            let entry = try #require(try await store.notifications(incidentID: 1).first { $0.id == text.id })
            #expect(entry.state == .sent && entry.lastError == "Twilio: undelivered; cancelled: incident reassigned by alice")
        }
    }

    @Test("a failure for a send not yet recorded asks to be told again, and changes nothing until then", arguments: TestBackend.allCases)
    func notYetRecorded(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(
                try Fixtures.batch("webhook-01-firing-critical-single"), configuration: NotificationRuleStoreTests.configuration
                    .routed(to: "bob"), now: t0)
            let claimed = try await store.claimDueNotifications(now: t0)
            let text = try #require(claimed.first { $0.medium == .sms })
            let id = try #require(text.id)
            #expect(try await store.recordPhoneStatus(
                deliveryID: id, status: "undelivered", errorCode: nil, policy: Self.policy, now: t0, random: 0.5) == .notYetRecorded)
            #expect(try await store.notifications(incidentID: 1).first { $0.id == id }?.state == .sending)
            try await store.recordAttempt(text, startedAt: t0, finishedAt: t0, statusCode: 201, error: nil, outcome: .sent, rendered: nil)
            #expect(try await store.recordPhoneStatus(
                deliveryID: id, status: "undelivered", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(1), random: 0.5)
                == .retry(at: t0.addingTimeInterval(11)))
        }
    }

    @Test("a declined call (busy) is not rung again", arguments: TestBackend.allCases)
    func declined(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let id = try await sentText(store)
            let change = try await store.recordPhoneStatus(
                deliveryID: id, status: "busy", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(5), random: 0.5)
            #expect(change == .dead(reason: "Twilio: busy: the call was declined"))
            #expect(try await store.notifications(incidentID: 1).first { $0.id == id }?.state == .dead)
        }
    }

    @Test("phone usage counts every attempt Twilio took in the hour", arguments: TestBackend.allCases)
    func usage(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let id = try await sentText(store)
            _ = try await store.recordPhoneStatus(
                deliveryID: id, status: "undelivered", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(5), random: 0.5)
            try await send(store, now: t0.addingTimeInterval(15))
            let usage = try await store.phoneUsage(address: "+441632960002", since: t0.addingTimeInterval(-3600), until: nil, noticeReason: "x")
            #expect(usage == PhoneUsage(sent: 2, noticeSent: false))
            #expect(try await store.phoneUsage(address: "+441632960002", since: t0.addingTimeInterval(20), until: nil, noticeReason: "x").sent == 0)
            // Up to a moment (a dispatcher's start: what it sent itself, it counts in memory).
            #expect(try await store.phoneUsage(
                address: "+441632960002", since: t0.addingTimeInterval(-3600), until: t0.addingTimeInterval(10), noticeReason: "x").sent == 1)
        }
    }

    @Test("a failure after the incident was acknowledged is not retried; an unknown delivery is not found", arguments: TestBackend.allCases)
    func notNeeded(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let id = try await sentText(store)
            _ = try await store.acknowledge(id: 1, by: Actor(name: "bob", channel: "cli"), note: nil, now: t0.addingTimeInterval(1))
            #expect(try await store.recordPhoneStatus(
                deliveryID: id, status: "no-answer", errorCode: nil, policy: Self.policy, now: t0.addingTimeInterval(2), random: 0.5)
                == .notNeeded)
            #expect(try await store.notifications(incidentID: 1).first { $0.id == id }?.state == .sent)
            await #expect(throws: StoreError.self) {
                _ = try await store.recordPhoneStatus(
                    deliveryID: 999, status: "failed", errorCode: nil, policy: Self.policy, now: t0, random: 0.5)
            }
        }
    }
}

extension TocsinConfiguration {
    /// The same people, every alert routed to a policy paging `person` at once.
    func routed(to person: String) -> TocsinConfiguration {
        var copy = self
        copy.routes = [Route(matchers: [], policy: "only")]
        copy.policies = [EscalationPolicy(name: "only", steps: [.init(after: 0, notify: [.person(person)])])]
        return copy
    }
}
