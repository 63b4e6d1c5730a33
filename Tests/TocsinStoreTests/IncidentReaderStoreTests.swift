import Foundation
import Logging
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Incidents read from PostgreSQL are the incidents SQLite reads: the same data (copied with
/// `tocsin migrate`), the same pages and details, field for field.
@Suite("Incidents read from PostgreSQL equal SQLite's")
struct IncidentReaderStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.125)

    @Test("every page of every filter, and every incident's detail, read the same from both stores")
    func sameReads() async throws {
        let test = try TestStore()
        defer { test.remove() }
        try await PopulatedStore.fill(test.store, at: t0)
        let sqlite: any IncidentReader = test.store
        try await TestPostgres.withDatabase { location in
            let postgres = try await PostgresStore.open(location, logger: Logger(label: "test"))
            _ = try await postgres.copy(from: test.store)
            for filter in IncidentFilter.allCases {
                for limit in [1, 2, 50] {
                    var before: Int64?
                    var pages = 0
                    repeat {
                        let expected = try await sqlite.incidents(filter: filter, limit: limit, before: before)
                        let read = try await postgres.incidents(filter: filter, limit: limit, before: before)
                        #expect(read == expected, "\(filter), limit \(limit), before \(before.map(String.init) ?? "-")")
                        before = expected.nextBefore
                        pages += 1
                    } while before != nil && pages < 20
                }
            }
            let all = try await sqlite.incidents(filter: .all, limit: 500, before: nil).incidents
            #expect(all.count >= 3 && Set(all.map(\.state)).count == 3, "open, acknowledged and resolved incidents to compare")
            for incident in all {
                let id = try #require(incident.id)
                let expected = try await sqlite.incident(id: id)
                let read = try await postgres.incident(id: id)
                #expect(read == expected, "incident #\(id)")
                #expect(!expected.timeline.isEmpty && !expected.alerts.isEmpty)
            }
            await #expect(throws: StoreError.self) { try await postgres.incident(id: 999) }
            await postgres.close()
        }
    }
}
