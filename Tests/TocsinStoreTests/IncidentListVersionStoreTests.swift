import Foundation
import GRDB
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// On SQLite the version counts this process's commits that touch incidents (the only writer);
/// on PostgreSQL other instances commit unseen, so every read takes a new version.
@Suite("The incident list's version")
struct IncidentListVersionStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    @Test("moves with every committed change to an incident or a maintenance hold, and with nothing else")
    func movesWithIncidentsOnly() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        let start = store.incidentListVersion

        _ = try await store.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), now: t0)
        let afterIngest = store.incidentListVersion
        #expect(afterIngest > start)

        // Writes that leave incidents and holds alone: a readiness probe, a refused command.
        try await store.checkWritable(now: t0)
        await #expect(throws: StoreError.self) {
            _ = try await store.acknowledge(id: 99, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0)
        }
        #expect(store.incidentListVersion == afterIngest)

        // A transaction that changes an incident and then rolls back.
        struct Abandoned: Error {}
        await #expect(throws: Abandoned.self) {
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE incidents SET title = 'changed' WHERE id = 1")
                throw Abandoned()
            }
        }
        #expect(store.incidentListVersion == afterIngest)

        _ = try await store.acknowledge(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0)
        let afterAck = store.incidentListVersion
        #expect(afterAck > afterIngest)

        // A maintenance hold alone (the incident's own row untouched).
        try await store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO maintenance_windows (id, matchers, starts_at, ends_at, created_by, created_at)
                    VALUES (1, '[]', '2026-01-01 00:00:00', '2027-01-01 00:00:00', 'alice', '2026-01-01 00:00:00')
                    """)
        }
        #expect(store.incidentListVersion == afterAck)
        try await store.writer.write { db in
            try db.execute(
                sql: "INSERT INTO maintenance_holds (window_id, incident_id, fingerprint, held_at) VALUES (1, 1, 'f', '2026-01-01 00:00:00')")
        }
        #expect(store.incidentListVersion > afterAck)
    }

    @Test("on PostgreSQL no page is answered again: another instance's commit is never hidden behind a cached page")
    func postgresNeverCaches() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let (reader, writer) = (stores[0], stores[1])
            #expect(reader.incidentListCacheVersion == nil)
            _ = try await writer.ingest(try Fixtures.batch("webhook-01-firing-critical-single"), now: t0)
            #expect(reader.incidentListCacheVersion == nil)
            #expect(try await reader.incidents(filter: .all, limit: 50, before: nil).incidents.count == 1)
        }
    }
}
