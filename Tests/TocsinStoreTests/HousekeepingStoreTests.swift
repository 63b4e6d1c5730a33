import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Retention, the counts `/metrics` reads, and drill runs, proved on both stores.
@Suite("Retention, counts and drill runs, on SQLite and PostgreSQL")
struct HousekeepingStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.375)

    @Test("counts by state, and the last page sent", arguments: TestBackend.allCases)
    func counts(backend: TestBackend) async throws {
        try await PopulatedStore.with(backend, at: t0) { store in
            let counts = try await store.operationalCounts()
            #expect(counts.incidents == ["resolved": 1, "acknowledged": 1, "triggered": 1])
            #expect((counts.outbox["sent"] ?? 0) == 3 && (counts.outbox["pending"] ?? 0) > 0, "\(counts.outbox)")
            #expect(counts.lastSentAt == t0.addingTimeInterval(0.2))
        }
    }

    @Test("incidents resolved before the cutoff go, with everything of theirs; the others stay", arguments: TestBackend.allCases)
    func deleteResolved(backend: TestBackend) async throws {
        try await PopulatedStore.with(backend, at: t0) { store in
            #expect(try await store.deleteResolvedIncidents(resolvedBefore: t0.addingTimeInterval(60), limit: 200, maxAlerts: 5000) == 0)
            #expect(try await store.deleteResolvedIncidents(resolvedBefore: t0.addingTimeInterval(61), limit: 200, maxAlerts: 5000) == 1)
            #expect(try await store.deleteResolvedIncidents(resolvedBefore: t0.addingTimeInterval(61), limit: 200, maxAlerts: 5000) == 0)
            let left = try await store.incidents(filter: .all, limit: 50, before: nil).incidents
            #expect(left.map(\.state).sorted { $0.rawValue < $1.rawValue } == [.acknowledged, .triggered])
            await #expect(throws: StoreError.self) { try await store.incident(id: 1) }
            #expect(try await store.operationalCounts().outbox.values.reduce(0, +) > 0, "the other incidents' pages stay")
        }
    }

    @Test("audit events older than the cutoff go, the newer stay, and the trail still refuses the rest", arguments: TestBackend.allCases)
    func deleteAudit(backend: TestBackend) async throws {
        try await backend.withStore { store in
            for hour in 0..<4 {
                try await store.audit(
                    AuditEvent(at: t0.addingTimeInterval(Double(hour) * 3600), kind: .configReloaded, actor: "system", source: "test", detail: "\(hour)"))
            }
            #expect(try await store.deleteAuditEvents(before: t0.addingTimeInterval(2 * 3600), limit: 1000) == 2)
            #expect(try await store.auditEvents(since: .distantPast).map(\.detail) == ["2", "3"])
            #expect(try await store.deleteAuditEvents(before: t0.addingTimeInterval(2 * 3600), limit: 1000) == 0)
        }
    }

    @Test("a drill run is registered once, finished once, and listed newest first", arguments: TestBackend.allCases)
    func drills(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let first = DrillRun(id: "d1", name: "db down", receiverURL: "http://127.0.0.1:1/hook", realTargets: false, startedBy: "ann", startedAt: t0)
            let second = DrillRun(id: "d2", name: "disk full", receiverURL: nil, realTargets: true, startedBy: "bob", startedAt: t0 + 60)
            #expect(try await store.startDrill(first) == first)
            _ = try await store.startDrill(second)
            await #expect(throws: StoreError.self) { try await store.startDrill(first) }
            let finished = try await store.finishDrill(id: "d1", now: t0 + 120)
            #expect(finished.finishedAt == t0 + 120 && finished.name == "db down")
            #expect(try await store.finishDrill(id: "d1", now: t0 + 180).finishedAt == t0 + 120)
            await #expect(throws: StoreError.self) { try await store.finishDrill(id: "nothing", now: t0) }
            #expect(try await store.drillRuns(limit: 50).map(\.id) == ["d2", "d1"])
            #expect(try await store.drillRuns(limit: 1) == [second])
        }
    }
}
