import Foundation
import Logging
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// On-call overrides, proved on both stores; and the steps prepared ahead that a change takes
/// back, compared incident by incident between the stores.
@Suite("On-call overrides, on SQLite and PostgreSQL")
struct OverrideStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.625)

    func override(_ person: String, from start: TimeInterval, until end: TimeInterval) -> StoredOverride {
        StoredOverride(
            schedule: "primary", person: person, startsAt: t0 + start, endsAt: t0 + end, note: "swap", createdBy: "ann", createdAt: t0)
    }

    @Test("added, listed by start while not ended, removed; both audited; an unknown id is refused", arguments: TestBackend.allCases)
    func overrides(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let later = try await store.addOverride(override("bob", from: 7200, until: 10800))
            let sooner = try await store.addOverride(override("carol", from: 0, until: 3600))
            #expect(later.id != nil && sooner.id != nil && later.id != sooner.id)
            #expect(try await store.overrides(endingAfter: nil) == [sooner, later])
            #expect(try await store.overrides(endingAfter: t0 + 3600) == [later])
            #expect(try await store.removeOverride(id: try #require(sooner.id), by: "dan", now: t0 + 60) == sooner)
            #expect(try await store.overrides(endingAfter: nil) == [later])
            await #expect {
                try await store.removeOverride(id: 999, by: "dan", now: t0)
            } throws: { error in
                guard case StoreError.notFound(let what, let id) = error else { return false }
                return what == "override" && id == "#999"
            }
            let trail = try await store.auditEvents(since: .distantPast)
            #expect(trail.map(\.kind) == [.overrideAdded, .overrideAdded, .overrideRemoved])
            #expect(trail.last?.actor == "dan" && trail.last?.detail == "override #\(sooner.id ?? 0): carol on call for primary")
        }
    }

    @Test("an override takes back the steps prepared ahead, on both stores alike")
    func withdrawsPreparedSteps() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await PopulatedStore.fill(test.store, at: t0)
        // The second step (at +600 s) of the triggered incident, prepared 30 s ahead.
        let tick = try await test.store.runDueEscalations(
            now: t0 + 580, preparingUntil: t0 + 610, configuration: PopulatedStore.configuration)
        #expect(!tick.preparedDueTimes.isEmpty, "a step was prepared ahead: the test would prove nothing without one")
        try await TestPostgres.withDatabase { location in
            let postgres = try await PostgresStore.open(location, logger: Logger(label: "test"))
            _ = try await postgres.copy(from: test.store)
            let stores: [any StateStore] = [test.store, postgres]
            for store in stores {
                _ = try await store.addOverride(override("bob", from: 0, until: 3600).with(createdAt: t0 + 590))
            }
            for incident in try await test.store.incidents(filter: .all, limit: 50, before: nil).incidents {
                let id = try #require(incident.id)
                let expected = try await test.store.incident(id: id)
                let read = try await postgres.incident(id: id)
                #expect(read.timeline == expected.timeline, "incident #\(id)")
                #expect(read.escalations == expected.escalations, "incident #\(id)")
                #expect(read.notifications.map(\.idempotencyKey) == expected.notifications.map(\.idempotencyKey), "incident #\(id)")
                #expect(!expected.timeline.contains { $0.at > t0 + 590 && $0.kind == .notified }, "the prepared step was taken back")
            }
            await postgres.close()
        }
    }
}

extension StoredOverride {
    fileprivate func with(createdAt: Date) -> StoredOverride {
        var copy = self
        copy.createdAt = createdAt
        return copy
    }
}
