import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Routing per alert in a real database: a critical alert pages whoever its policy pages, whatever
/// the rest of its group is and whenever it joins.
@Suite("Routing per alert, stored")
struct AlertRoutingStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    /// The shipped shape: critical pages alice at once and bob at 5m; warning tells the team.
    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com"), Person(name: "bob", email: "bob@example.com")],
        channels: [Channel(name: "team-chat", emails: ["team@example.com"])],
        routes: [
            Route(matchers: [try! Matcher(parsing: #"severity="critical""#)], policy: "critical-immediate"),
            Route(matchers: [], policy: "warning-24h"),
        ],
        policies: [
            EscalationPolicy(
                name: "critical-immediate",
                steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")])], ackTimeout: 1800),
            EscalationPolicy(
                name: "warning-24h",
                steps: [.init(after: 0, notify: [.channel("team-chat")], kind: .notify), .init(after: 86_400, notify: [.person("alice")])]),
        ])

    func alert(_ instance: String, _ severity: String) -> Alert {
        Alert(status: .firing, labels: ["alertname": "DiskFull", "instance": instance, "severity": severity], startsAt: t0)
    }

    /// One `group_by: [alertname, cluster]` group: no common severity when the severities differ.
    func group(_ alerts: [Alert]) -> AlertBatch {
        let common = AlertBatch.commonLabels(of: alerts.map(\.labels))
        return AlertBatch(
            receiver: "tocsin", groupKey: "{}:{alertname=\"DiskFull\"}", status: .firing, groupLabels: ["alertname": "DiskFull"],
            commonLabels: common, alerts: alerts)
    }

    func pages(_ store: any StateStore, _ id: Int64) async throws -> [String] {
        try await store.notifications(incidentID: id).filter(\.urgent).map(\.address)
    }

    @Test("two critical alerts and a warning in one group: alice is paged in the commit that opens the incident", arguments: TestBackend.allCases)
    func mixedGroup(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let result = try await store.ingest(
                group([alert("db1:9100", "critical"), alert("db1:9101", "critical"), alert("db2:9100", "warning")]),
                configuration: Self.configuration, now: t0)
            let id = try #require(result.incidentID)
            #expect(try await pages(store, id) == ["alice@example.com"])
            let detail = try await store.incident(id: id)
            #expect(detail.incident.severity == "critical")
            #expect(detail.escalations.map(\.policyName).sorted() == ["critical-immediate", "warning-24h"])
            #expect(detail.escalations.first { $0.policyName == "critical-immediate" }?.startedBy == "DiskFull on db1:9100")
            #expect(try await store.notifications(incidentID: id).map(\.address).contains("team@example.com"))
        }
    }

    @Test("an ingest says whether it queued notifications: only then is the dispatcher woken", arguments: TestBackend.allCases)
    func notificationsQueued(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let configuration = TocsinConfiguration(
                people: [Person(name: "alice", email: "alice@example.com")],
                routes: [Route(matchers: [try Matcher(parsing: "severity=critical")], policy: "now"), Route(matchers: [], policy: "later")],
                policies: [
                    EscalationPolicy(name: "now", steps: [.init(after: 0, notify: [.person("alice")])]),
                    EscalationPolicy(name: "later", steps: [.init(after: 3600, notify: [.person("alice")])]),
                ])
            let later = try await store.ingest(group([alert("db2:9100", "warning")]), configuration: configuration, now: t0)
            #expect(later.escalationChanged && !later.notificationsQueued, "the escalator looks; the dispatcher has nothing to do")
            let now = try await store.ingest(
                AlertBatch(receiver: "r", groupKey: "other", status: .firing, alerts: [alert("db1:9100", "critical")]),
                configuration: configuration, now: t0)
            #expect(now.escalationChanged && now.notificationsQueued)
            #expect(try await store.notifications(incidentID: try #require(now.incidentID)).count == 1)
        }
    }

    @Test("a critical alert joining an open warning incident starts critical-immediate at once; warning-24h keeps running", arguments: TestBackend.allCases)
    func criticalJoinsLater(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let warning = alert("db2:9100", "warning")
            let opened = try await store.ingest(group([warning]), configuration: Self.configuration, now: t0)
            let id = try #require(opened.incidentID)
            #expect(try await pages(store, id).isEmpty, "a warning pages nobody at once")
            #expect(opened.escalationChanged)
            let warningTimer = try await store.incident(id: id).escalations.first?.nextDueAt

            let joined = t0.addingTimeInterval(600)
            let result = try await store.ingest(
                group([warning, alert("db1:9100", "critical")]), configuration: Self.configuration, now: joined)
            #expect(result.incidentID == id)
            #expect(result.escalationChanged && result.notificationsQueued)
            #expect(try await pages(store, id) == ["alice@example.com"])
            let detail = try await store.incident(id: id)
            #expect(detail.incident.severity == "critical")
            let critical = try #require(detail.escalations.first { $0.policyName == "critical-immediate" })
            #expect(critical.startedAt == joined && critical.createdAt == joined)
            #expect(critical.nextDueAt == joined.addingTimeInterval(300), "bob is next, 5m after the critical alert joined")
            #expect(detail.escalations.first { $0.policyName == "warning-24h" }?.nextDueAt == warningTimer)
            #expect(detail.timeline.map(\.note).contains("alert DiskFull on db1:9100 routes to critical-immediate: escalation started"))

            // Sent again unchanged (repeat_interval), the group starts nothing more.
            let before = try await DatabaseSnapshot.take(store)
            _ = try await store.ingest(group([warning, alert("db1:9100", "critical")]), configuration: Self.configuration, now: joined)
            #expect(try await DatabaseSnapshot.take(store) == before)
        }
    }

    @Test("a critical alert joining an acknowledged warning incident re-triggers it and pages alice", arguments: TestBackend.allCases)
    func criticalJoinsAcknowledged(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let warning = alert("db2:9100", "warning")
            let id = try #require(try await store.ingest(group([warning]), configuration: Self.configuration, now: t0).incidentID)
            _ = try await store.acknowledge(id: id, by: Actor(name: "bob", channel: "cli"), note: nil, now: t0.addingTimeInterval(60))
            let result = try await store.ingest(
                group([warning, alert("db1:9100", "critical")]), configuration: Self.configuration, now: t0.addingTimeInterval(120))
            #expect(result.state == .triggered)
            #expect(try await pages(store, id) == ["alice@example.com"])
        }
    }
}
