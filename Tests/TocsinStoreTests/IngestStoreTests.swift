import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

@Suite("Ingest")
struct IngestStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    @Test("the captured webhooks, replayed in order, give the expected incidents after each step", arguments: TestBackend.allCases)
    func replayFixtures(backend: TestBackend) async throws {
        try await backend.withStore { store in try await replayFixtures(into: store) }
    }

    func replayFixtures(into store: any StateStore) async throws {
        for (index, step) in FixtureReplay.steps.enumerated() {
            let now = t0.addingTimeInterval(Double(index))
            let result = try await store.ingest(try Fixtures.batch(step.fixture), now: now)
            #expect(result.incidentID == step.incidentID, "\(step.fixture)")
            #expect(result.counts.new == step.new && result.counts.updated == step.updated
                    && result.counts.resolved == step.resolved, "\(step.fixture): \(result.counts)")
            let incident = try await store.incident(id: step.incidentID).incident
            #expect(incident.state == step.state, "\(step.fixture)")
            #expect(incident.firingCount == step.firing && incident.alertCount == step.total, "\(step.fixture)")
        }
        let all = try await store.incidents(filter: .all, limit: 50, before: nil).incidents
        #expect(all.count == 8)
        #expect(all.map(\.id) == [8, 7, 6, 5, 4, 3, 2, 1])
        let truncated = try await store.incident(id: 5).incident
        #expect(truncated.truncatedAlerts == 3)
        let disk = try await store.incident(id: 1)
        #expect(disk.incident.title == "Disk almost full on db1")
        #expect(disk.incident.severity == "critical")
        #expect(disk.incident.resolvedBy == "alertmanager")
        #expect(disk.timeline.map(\.kind) == [.opened, .alertsResolved, .resolved])
        let group = try await store.incident(id: 4)
        #expect(group.timeline.map(\.kind) == [.opened, .alertsAdded, .alertsResolved, .alertsResolved, .resolved])
        #expect(group.alerts.allSatisfy { $0.status == .resolved && $0.endsAt != nil })
    }

    @Test("every fixture ingested twice changes only last-seen times", arguments: TestBackend.allCases, Fixtures.webhookNames)
    func redeliveryIsIdempotent(backend: TestBackend, fixture: String) async throws {
        try await backend.withStore { store in
            // Give resolved-only fixtures an incident to land in first.
            let opener = fixture.contains("resolved") ? try Fixtures.batch(fixture).firingTwin() : nil
            if let opener { _ = try await store.ingest(opener, now: t0) }
            let batch = try Fixtures.batch(fixture)
            _ = try await store.ingest(batch, now: t0.addingTimeInterval(1))
            let before = try await DatabaseSnapshot.take(store)
            let again = try await store.ingest(batch, now: t0.addingTimeInterval(1))
            let after = try await DatabaseSnapshot.take(store)
            #expect(again.counts.new == 0)
            #expect(before.contains { $0.hasPrefix("incident_alerts: ") }, "the snapshot holds the stored alerts")
            #expect(before == after, "a redelivery at the same instant must not change any row")
            _ = try await store.ingest(batch, now: t0.addingTimeInterval(99))
            let later = try await DatabaseSnapshot.take(store)
            #expect(later.count == before.count, "no rows added by a later redelivery")
            #expect(later.filter { $0.hasPrefix("timeline_events") } == before.filter { $0.hasPrefix("timeline_events") })
        }
    }

    @Test("a resend moves last-seen times only; a changed alert in it is rewritten", arguments: TestBackend.allCases)
    func resendAndChange(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let labels = [["alertname": "Disk", "instance": "a"], ["alertname": "Disk", "instance": "b"]]
            func batch(summaryOfB: String) -> AlertBatch {
                AlertBatch(
                    receiver: "r", groupKey: "k", status: .firing, groupLabels: ["alertname": "Disk"], commonLabels: [:],
                    alerts: [
                        Alert(status: .firing, labels: labels[0], annotations: ["summary": "a"], startsAt: t0),
                        Alert(status: .firing, labels: labels[1], annotations: ["summary": summaryOfB], startsAt: t0),
                    ])
            }
            func alerts(_ id: Int64) async throws -> [IncidentAlert] {
                try await store.incident(id: id).alerts.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
            }
            let opened = try await store.ingest(batch(summaryOfB: "b"), now: t0)
            let before = try await store.incident(id: try #require(opened.incidentID)).incident
            _ = try await store.ingest(batch(summaryOfB: "b"), now: t0.addingTimeInterval(60))
            // The incident's row too: its last-seen time moves, nothing else.
            var seen = before
            seen.lastSeenAt = t0.addingTimeInterval(60)
            #expect(try await store.incident(id: try #require(opened.incidentID)).incident == seen)
            let id = try #require(opened.incidentID)
            let resent = try await alerts(id)
            #expect(resent.map(\.lastSeenAt) == [t0.addingTimeInterval(60), t0.addingTimeInterval(60)])
            #expect(resent.map(\.firstSeenAt) == [t0, t0])
            _ = try await store.ingest(batch(summaryOfB: "b is worse"), now: t0.addingTimeInterval(120))
            let changed = try await alerts(id)
            #expect(changed.map(\.annotations) == [["summary": "a"], ["summary": "b is worse"]])
            #expect(changed.map(\.lastSeenAt) == [t0.addingTimeInterval(120), t0.addingTimeInterval(120)])
        }
    }

    @Test("alerts of one batch keep their own starts, shared or not, in any order; sent again, they are unchanged", arguments: TestBackend.allCases)
    func startsWithinABatch(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let starts = [t0, t0, t0.addingTimeInterval(1.5), t0, t0.addingTimeInterval(-60)]
            let batch = AlertBatch(
                receiver: "r", groupKey: "k", status: .firing,
                alerts: starts.enumerated().map { index, start in
                    Alert(status: .firing, labels: ["alertname": "Disk", "instance": "i\(index)"], startsAt: start)
                })
            let opened = try await store.ingest(batch, now: t0)
            let id = try #require(opened.incidentID)
            let stored = try await store.incident(id: id).alerts
            let byInstance = Dictionary(uniqueKeysWithValues: stored.map { ($0.labels["instance"] ?? "", $0.startsAt) })
            #expect(starts.indices.map { byInstance["i\($0)"] } == starts)
            let again = try await store.ingest(batch, now: t0.addingTimeInterval(60))
            #expect(again.counts.updated == starts.count)
            #expect(try await store.incident(id: id).alerts.map(\.startsAt).sorted() == starts.sorted())
        }
    }

    @Test("acknowledge and resolve: transitions, no-ops and the refusal on resolved incidents", arguments: TestBackend.allCases)
    func commands(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let opened = try await store.ingest(try Fixtures.batch("webhook-04-firing-grouped-2-alerts"), now: t0)
            let id = try #require(opened.incidentID)
            let bob = Actor(name: "bob", channel: "cli")
            let ack = try await store.acknowledge(id: id, by: bob, note: "on it", now: t0.addingTimeInterval(60))
            #expect(ack.changed && ack.incident.state == .acknowledged && ack.incident.acknowledgedBy == "bob")
            let again = try await store.acknowledge(id: id, by: bob, note: nil, now: t0.addingTimeInterval(61))
            #expect(!again.changed)
            #expect(again.incident.acknowledgedAt == t0.addingTimeInterval(60))

            // A new alert joins: back to triggered, with the reason on the timeline.
            let grown = try await store.ingest(try Fixtures.batch("webhook-05-firing-group-grew-to-3-alerts"), now: t0.addingTimeInterval(90))
            #expect(grown.state == .triggered)
            let detail = try await store.incident(id: id)
            #expect(detail.timeline.map(\.kind) == [.opened, .acknowledged, .alertsAdded, .retriggered])
            #expect(detail.timeline[1].note == "on it" && detail.timeline[1].channel == "cli")

            let resolved = try await store.resolve(id: id, by: bob, note: "fixed", now: t0.addingTimeInterval(120))
            #expect(resolved.changed && resolved.incident.state == .resolved && resolved.incident.resolvedBy == "bob")
            let before = try await DatabaseSnapshot.take(store)
            await #expect {
                try await store.acknowledge(id: id, by: bob, note: nil, now: t0.addingTimeInterval(130))
            } throws: { error in
                guard case StoreError.conflict(let message) = error else { return false }
                return message.contains("already resolved")
            }
            #expect(try await !store.resolve(id: id, by: bob, note: nil, now: t0.addingTimeInterval(131)).changed)
            #expect(try await DatabaseSnapshot.take(store) == before)
            await #expect(throws: StoreError.self) {
                try await store.acknowledge(id: 999, by: bob, note: nil, now: t0)
            }
        }
    }

    @Test("listing filters by state and pages newest first", arguments: TestBackend.allCases)
    func listing(backend: TestBackend) async throws {
        try await backend.withStore { store in
            for step in FixtureReplay.steps {
                _ = try await store.ingest(try Fixtures.batch(step.fixture), now: t0)
            }
            let open = try await store.incidents(filter: .open).incidents.map(\.id)
            #expect(open == [7, 6, 5, 2])
            let resolved = try await store.incidents(filter: .resolved).incidents.map(\.id)
            #expect(resolved == [8, 4, 3, 1])
            let first = try await store.incidents(filter: .all, limit: 3)
            #expect(first.incidents.map(\.id) == [8, 7, 6] && first.nextBefore == 6)
            let second = try await store.incidents(filter: .all, limit: 3, before: first.nextBefore)
            #expect(second.incidents.map(\.id) == [5, 4, 3])
            let last = try await store.incidents(filter: .all, limit: 3, before: 3)
            #expect(last.incidents.map(\.id) == [2, 1] && last.nextBefore == nil)
        }
    }
}

extension AlertBatch {
    /// The same batch with every alert firing: opens the incident a resolved fixture belongs to.
    func firingTwin() -> AlertBatch {
        var twin = self
        twin.status = .firing
        twin.alerts = alerts.map { alert in
            var firing = alert
            firing.status = .firing
            firing.endsAt = nil
            return firing
        }
        return twin
    }
}
