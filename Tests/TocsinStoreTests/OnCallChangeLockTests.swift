import Foundation
import PostgresNIO
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// On PostgreSQL, a change to who is on call and an escalator's pass on another instance are
/// ordered by ``OnCallChangeLock``: the change waits for a pass in progress (whose prepared steps
/// it then withdraws), a pass waits for a change in progress (and reads it), and passes run side
/// by side.
@Suite("A change to who is on call and the escalators' passes, across instances")
struct OnCallChangeLockTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com")],
        routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice")])])])

    var override: StoredOverride {
        StoredOverride(schedule: "primary", person: "alice", startsAt: t0, endsAt: t0 + 3600, note: "swap", createdBy: "ann", createdAt: t0)
    }

    /// A transaction on `store` that holds the lock as `held` says until `release` is finished;
    /// returns once the lock is held.
    func hold(
        _ lock: PostgresQuery, on store: PostgresStore, until release: AsyncStream<Void>
    ) async throws -> Task<Void, any Error> {
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let task = Task {
            try await store.transaction { connection, logger in
                try await connection.query(lock, logger: logger)
                holding.finish()
                for await _ in release {}
            }
        }
        for await _ in held {}
        return task
    }

    /// Waits until a transaction waits for the on-call lock (PostgreSQL's `pg_locks`), for at most 10 s.
    func waitForWaiter(on store: PostgresStore) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let waiting = try await store.reading { connection, logger in
                // This test's database and the on-call lock's key only: other tests share the server.
                let count: PostgresQuery = """
                    SELECT count(*) FROM pg_locks
                    WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('on-call', 0)
                    """
                var waiting = 0
                for try await value in try await connection.query(count, logger: logger).decode(Int.self) { waiting = value }
                return waiting
            }
            if waiting > 0 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no transaction waited for the on-call lock within 10 s")
    }

    @Test("an override waits for a pass in progress on another instance, and is written once the pass commits")
    func overrideWaitsForPass() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let (release, ending) = AsyncStream.makeStream(of: Void.self)
            let pass = try await hold(OnCallChangeLock.pass, on: stores[1], until: release)
            let adding = Task { try await stores[0].addOverride(override) }
            try await waitForWaiter(on: stores[0])
            #expect(try await stores[0].overrides(endingAfter: nil).isEmpty, "the override is not written while the pass runs")
            ending.finish()
            try await pass.value
            let added = try await adding.value
            #expect(try await stores[0].overrides(endingAfter: nil) == [added])
        }
    }

    @Test("a pass waits for a change in progress on another instance, then runs")
    func passWaitsForChange() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            _ = try await stores[0].ingest(try Fixtures.batch("webhook-01-firing-critical-single"), configuration: Self.configuration, now: t0)
            // Alice's page went out with the incident; a pass finds nothing due but still takes the lock.
            let (release, ending) = AsyncStream.makeStream(of: Void.self)
            let change = try await hold(OnCallChangeLock.change, on: stores[1], until: release)
            let passing = Task { try await stores[0].runDueEscalations(now: t0 + 1, configuration: Self.configuration) }
            try await waitForWaiter(on: stores[0])
            ending.finish()
            try await change.value
            #expect(try await passing.value.processed == 0)
        }
    }

    @Test("passes on two instances hold the lock side by side", .timeLimit(.minutes(1)))
    func passesSideBySide() async throws {
        try await TestBackend.withPostgresStores(2) { stores in
            let (release, ending) = AsyncStream.makeStream(of: Void.self)
            let other = try await hold(OnCallChangeLock.pass, on: stores[1], until: release)
            // Would wait until the time limit if passes excluded each other.
            #expect(try await stores[0].runDueEscalations(now: t0, configuration: Self.configuration).processed == 0)
            ending.finish()
            try await other.value
        }
    }
}
