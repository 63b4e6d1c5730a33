import Foundation
import GRDB
import Logging
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// `tocsin migrate`'s copy of a SQLite store into PostgreSQL, on the real test server.
@Suite("Copying a SQLite store into PostgreSQL")
struct StoreCopyTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.25)
    let logger = Logger(label: "test")
    func populate(_ store: TocsinStore) async throws {
        try await PopulatedStore.fill(store, at: t0)
    }

    @Test("every table is copied, and the copy is verified by counts and checksums")
    func copies() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await populate(test.store)
        let sourceTrail = try await test.store.auditEvents(since: .distantPast)
        let sourceIncidents = try await test.store.incidents(filter: .all).incidents
        let (report, copiedTrail, authenticated, titles) = try await TestPostgres.withDatabase { location in
            let target = try await PostgresStore.open(location, logger: logger)
            let report = try await target.copy(from: test.store)
            let trail = try await target.auditEvents(since: .distantPast)
            let authenticated = try await target.authenticate(tokenHash: "alice-hash")
            await target.close()
            let titles = try await TestPostgres.rows("SELECT id::text, title, state FROM incidents ORDER BY id", on: location)
            return (report, trail, authenticated, titles)
        }
        #expect(report.matches, "\(report.tables.filter { !$0.matches })")
        #expect(report.tables.map(\.name) == StoreCopy.tables)
        let rows = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.sourceRows) })
        #expect(rows["incidents"] == sourceIncidents.count && sourceIncidents.count >= 3)
        for table in ["incident_alerts", "timeline_events", "escalations", "outbox", "delivery_attempts", "users", "api_tokens",
                      "schedule_overrides", "settings", "audit_events"] {
            #expect((rows[table] ?? 0) > 0, "\(table) was empty in the source: the test proves nothing for it")
        }
        #expect(copiedTrail == sourceTrail)
        #expect(authenticated?.user.name == "alice" && authenticated?.scopes == [.read, .respond])
        #expect(titles.map { $0[0] ?? "" } == sourceIncidents.compactMap(\.id).sorted().map(String.init))
        #expect(titles.map { $0[2] ?? "" } == sourceIncidents.sorted { ($0.id ?? 0) < ($1.id ?? 0) }.map(\.state.rawValue))
    }

    @Test("run again, the copy brings what changed since, duplicates nothing, and new rows take new ids")
    func rerun() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await populate(test.store)
        let (first, second, trailCount, newUser) = try await TestPostgres.withDatabase { location in
            let target = try await PostgresStore.open(location, logger: logger)
            let first = try await target.copy(from: test.store)
            _ = try await test.store.ingest(
                try Fixtures.batch("webhook-11-firing-group_by-all-labels"), configuration: PopulatedStore.configuration, now: t0.addingTimeInterval(90))
            _ = try await test.store.resolve(id: 2, by: Actor(name: "alice", channel: "cli"), note: nil, now: t0.addingTimeInterval(95))
            let second = try await target.copy(from: test.store)
            let trailCount = try await target.auditEvents(since: .distantPast).count
            let newUser = try await target.addUser(name: "bob", email: "bob@example.com", tokenHash: "bob-hash", scopes: [.read], now: t0)
            await target.close()
            return (first, second, trailCount, newUser)
        }
        #expect(first.matches && second.matches)
        let before = Dictionary(uniqueKeysWithValues: first.tables.map { ($0.name, $0) })
        let after = Dictionary(uniqueKeysWithValues: second.tables.map { ($0.name, $0) })
        #expect((after["incidents"]?.targetRows ?? 0) == (before["incidents"]?.targetRows ?? 0) + 1)
        #expect(after["incidents"]?.targetChecksum != before["incidents"]?.targetChecksum, "incident 2's resolution was copied")
        #expect(trailCount == after["audit_events"]?.sourceRows)
        #expect((newUser.id ?? 0) > 1, "the identity sequence moved past the copied users")
    }

    @Test("a target holding rows no copy put there is refused, and keeps them")
    func refusesForeignData() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await populate(test.store)
        let (outcome, users) = try await TestPostgres.withDatabase { location in
            let target = try await PostgresStore.open(location, logger: logger)
            _ = try await target.addUser(name: "zed", email: "zed@example.com", tokenHash: "zed-hash", scopes: [.read], now: t0)
            let outcome: Result<StoreCopyReport, StoreError>
            do throws(StoreError) { outcome = .success(try await target.copy(from: test.store)) } catch { outcome = .failure(error) }
            let users = try await target.users().map(\.name)
            await target.close()
            return (outcome, users)
        }
        guard case .failure(.conflict(let message)) = outcome else {
            Issue.record("copied over a database holding its own rows: \(outcome)")
            return
        }
        #expect(message.contains("already holds Tocsin data that no copy put there (in users, api_tokens, audit_events)"))
        #expect(users == ["zed"])
    }

    @Test("once instances wrote to the target, a copy is refused, and their rows stay")
    func refusesAfterInstancesWrote() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await populate(test.store)
        let (first, outcome, users) = try await TestPostgres.withDatabase { location in
            let target = try await PostgresStore.open(location, logger: logger)
            let first = try await target.copy(from: test.store)
            _ = try await target.addUser(name: "bob", email: "bob@example.com", tokenHash: "bob-hash", scopes: [.read], now: t0)
            let outcome: Result<StoreCopyReport, StoreError>
            do throws(StoreError) { outcome = .success(try await target.copy(from: test.store)) } catch { outcome = .failure(error) }
            let users = try await target.users().map(\.name)
            await target.close()
            return (first, outcome, users)
        }
        #expect(first.matches)
        guard case .failure(.conflict(let message)) = outcome else {
            Issue.record("copied over rows an instance wrote: \(outcome)")
            return
        }
        #expect(message.contains("changed since the copy of") && message.contains("(in users, api_tokens, audit_events)"))
        #expect(users == ["alice", "bob"])
    }

    @Test("on the copied outbox, a rotation of the link key has unfinished pages rendered again, and leaves sent ones")
    func rotationRendersUnfinishedAgain() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await populate(test.store)
        let rows = try await TestPostgres.withDatabase { location in
            let target = try await PostgresStore.open(location, logger: logger)
            _ = try await target.copy(from: test.store)
            try await TestPostgres.run("UPDATE outbox SET rendered = 'before'", on: location)
            try await target.rotateLinkSigningKey(by: "root", source: "cli", now: t0)
            await target.close()
            return try await TestPostgres.rows("SELECT state, COALESCE(rendered, 'again') FROM outbox ORDER BY id", on: location)
        }
        #expect(rows.contains { $0[0] == "sent" } && rows.contains { $0[0] == "pending" }, "\(rows)")
        for row in rows {
            #expect(row[1] == (row[0] == "sent" ? "before" : "again"), "\(row)")
        }
    }

    @Test("the copy names every table SQLite has")
    func coversEveryTable() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let tables = try await test.store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sqlite_sequence', 'grdb_migrations')")
        }
        #expect(Set(tables) == Set(StoreCopy.tables))
        #expect(StoreCopy.tables.count == Set(StoreCopy.tables).count)
    }
}
