import Foundation
import GRDB
import Testing
@testable import TocsinStore
import TocsinTestSupport

@Suite("The durability asked for is the one the writer commits with")
struct DurabilityStoreTests {
    @Test("the writer's synchronous setting follows the durability (GRDB's WAL set-up does not override it)", arguments: [
        (TocsinStore.Durability.full, 2), (TocsinStore.Durability.normal, 1),
    ])
    func writerSynchronous(durability: TocsinStore.Durability, expected: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try TocsinStore(path: directory.path("tocsin.sqlite"), configuration: .init(durability: durability))
        defer { try? store.close() }
        // SQLite's PRAGMA synchronous: 1 is NORMAL, 2 is FULL.
        let onWriter = try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(onWriter == expected)
        #expect(try await store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
    }
}
