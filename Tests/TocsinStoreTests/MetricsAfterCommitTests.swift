import Foundation
import GRDB
import Synchronization
import Testing
import TocsinCore
import TocsinTestSupport

@testable import TocsinStore

/// The store counts what a transaction did only once it commits: work rolled back (a failed
/// write, a refused command) is never counted.
@Suite("Metrics after commit")
struct MetricsAfterCommitTests {
    struct Refused: Error {}

    @Test("a write's metrics are recorded after its commit, and never for a rolled-back write")
    func afterCommitOnly() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let recorded = Mutex<[String]>([])
        try await test.store.write { db in
            StoreMetrics.afterCommit(of: db) { recorded.withLock { $0.append("committed") } }
            #expect(recorded.withLock { $0 }.isEmpty, "nothing is recorded before the commit")
            try db.execute(sql: "INSERT INTO settings (name, value) VALUES ('metrics-test', 'x')")
        }
        #expect(recorded.withLock { $0 } == ["committed"])
        await #expect(throws: StoreError.self) {
            try await test.store.write { db in
                StoreMetrics.afterCommit(of: db) { recorded.withLock { $0.append("rolled back") } }
                try db.execute(sql: "INSERT INTO settings (name, value) VALUES ('metrics-test-2', 'y')")
                throw StoreError.conflict("refused after the work was done")
            }
        }
        #expect(recorded.withLock { $0 } == ["committed"])
        let kept = try await test.store.read { db in try String.fetchAll(db, sql: "SELECT name FROM settings WHERE name LIKE 'metrics-test%'") }
        #expect(kept == ["metrics-test"])
    }

    @Test("on PostgreSQL too: what a transaction leaves to record runs after its commit, and never after a rollback")
    func afterCommitOnPostgres() async throws {
        try await TestBackend.withPostgresStore { store in
            let recorded = Mutex<[String]>([])
            try await store.work { work in
                work.afterCommit.append { recorded.withLock { $0.append("committed") } }
                #expect(recorded.withLock { $0 }.isEmpty, "nothing is recorded before the commit")
                try await work.query("INSERT INTO settings (name, value) VALUES ('metrics-test', 'x')")
            }
            #expect(recorded.withLock { $0 } == ["committed"])
            await #expect(throws: StoreError.self) {
                try await store.work { work in
                    work.afterCommit.append { recorded.withLock { $0.append("rolled back") } }
                    try await work.query("INSERT INTO settings (name, value) VALUES ('metrics-test-2', 'y')")
                    throw StoreError.conflict("refused after the work was done")
                }
            }
            #expect(recorded.withLock { $0 } == ["committed"])
            let kept = try await store.work { work in
                try await work.query("SELECT name FROM settings WHERE name LIKE 'metrics-test%'").map { try $0.decode(String.self) }
            }
            #expect(kept == ["metrics-test"])
        }
    }
}
