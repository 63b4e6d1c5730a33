import Foundation
import GRDB
import Synchronization
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

@Suite("Ingest's group commit")
struct GroupCommitStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com")],
        routes: [Route(matchers: [], policy: "page")],
        policies: [EscalationPolicy(name: "page", steps: [.init(after: 0, notify: [.person("alice")])])])

    func batch(group: String, instance: String) -> AlertBatch {
        AlertBatch(
            receiver: "team", groupKey: group, status: .firing,
            alerts: [Alert(status: .firing, labels: ["alertname": group, "instance": instance], startsAt: t0)])
    }

    @Test("batches sent at once: one incident per group, every alert stored once, every first page queued once")
    func concurrentBatches() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        let configuration = configuration
        let results = try await withThrowingTaskGroup(of: (String, IngestResult).self) { tasks in
            for index in 0..<60 {
                // 20 groups of 3 batches each, every batch a new alert.
                let group = "g\(index % 20)"
                let batch = batch(group: group, instance: "i\(index)")
                tasks.addTask { (group, try await store.ingest(batch, configuration: configuration, now: t0)) }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 60)
        let incidentOf = Dictionary(grouping: results, by: \.0).mapValues { Set($0.compactMap(\.1.incidentID)) }
        #expect(incidentOf.count == 20 && incidentOf.values.allSatisfy { $0.count == 1 }, "\(incidentOf)")
        let counts = try await store.read { db in
            try (Int.fetchOne(db, sql: "SELECT count(*) FROM incidents") ?? -1,
                 Int.fetchOne(db, sql: "SELECT count(*) FROM incident_alerts") ?? -1,
                 Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? -1)
        }
        #expect(counts.0 == 20 && counts.1 == 60 && counts.2 == 20, "\(counts)")
    }

    @Test("a batch that fails in a group fails alone: the others commit, its own change is not stored")
    func failureInGroup() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let health = WriteHealth()
        let outcomes = try await group(of: 8, in: test, health: health) { index in
            index == 5 ? StoreError.conflict("batch 5 refused") : nil
        }
        #expect(outcomes.enumerated().filter { $0.element != nil }.map(\.offset) == [5])
        #expect(outcomes[5].map { "\($0)" } == "batch 5 refused")
        #expect(try await storedNames(test) == ["batch-0", "batch-1", "batch-2", "batch-3", "batch-4", "batch-6", "batch-7", "first"])
        #expect(health.lastFailure == nil)
    }

    @Test("a database that refuses the group's transaction (busy) fails every batch of it at once, and says so")
    func transientFailureFailsTheGroup() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let health = WriteHealth()
        let outcomes = try await group(of: 8, in: test, health: health) { index in
            index == 3 ? StoreError.busy("database is locked") : nil
        }
        #expect(outcomes.allSatisfy { if case .busy = $0 { true } else { false } }, "\(outcomes)")
        #expect(try await storedNames(test) == ["first"], "nothing of the group is stored")
        #expect(health.lastFailure?.reason.contains("busy") == true)
    }

    /// Submits a first batch that holds the writer until `count` more wait, so that those form one
    /// group; batch `index` inserts the setting `batch-index` and then throws `failure(index)`, if
    /// any. Returns each grouped batch's error (nil when it committed).
    private func group(
        of count: Int, in test: TestStore, health: WriteHealth, failure: @escaping @Sendable (Int) -> StoreError?
    ) async throws -> [StoreError?] {
        let commits = GroupCommit()
        let writer = test.store.writer
        let release = DispatchSemaphore(value: 0)
        let started = Mutex(false)
        let first = Task {
            try await commits.submit(to: writer, writeHealth: health) { db in
                started.withLock { $0 = true }
                release.wait()  // on the writer's own queue, not the test's
                try db.execute(sql: "INSERT INTO settings (name, value) VALUES ('first', '1')")
                return .nothing
            }
        }
        // Polled, not waited on: a test must not block the concurrency pool's few threads. The bound
        // is generous: the suites run in parallel on two pool threads, and on a cold first run the
        // tasks below took more than 10 s to be scheduled at all.
        let deadline = ContinuousClock.now + .seconds(60)
        while !started.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(started.withLock { $0 })
        let grouped = (0..<count).map { index in
            Task {
                try await commits.submit(to: writer, writeHealth: health) { db in
                    try db.execute(sql: "INSERT INTO settings (name, value) VALUES (?, 'x')", arguments: ["batch-\(index)"])
                    if let failure = failure(index) { throw failure }
                    return .nothing
                }
            }
        }
        while commits.waiting < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(commits.waiting == count)
        release.signal()
        _ = try await first.value
        var outcomes: [StoreError?] = []
        for task in grouped {
            do {
                _ = try await task.value
                outcomes.append(nil)
            } catch let error as StoreError {
                outcomes.append(error)
            }
        }
        return outcomes
    }

    private func storedNames(_ test: TestStore) async throws -> [String] {
        try await test.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM settings WHERE name = 'first' OR name LIKE 'batch-%' ORDER BY name")
        }
    }
}
