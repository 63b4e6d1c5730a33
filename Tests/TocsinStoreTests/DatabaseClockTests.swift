import Foundation
import Testing
@testable import TocsinStore
import TocsinTestSupport

/// The database server's clock, as instances sharing PostgreSQL read it.
@Suite("The database's clock")
struct DatabaseClockTests {
    @Test("the server's reading counts from halfway through the round trip", arguments: [
        (sent: 0.0, received: 0.2, server: 5.1, offset: 5.0),
        (sent: 10.0, received: 10.0, server: 7.0, offset: -3.0),
        (sent: 0.0, received: 1.0, server: 0.5, offset: 0.0),
    ])
    func offsetFromOneReading(sample: (sent: Double, received: Double, server: Double, offset: Double)) {
        let base = Date(timeIntervalSince1970: 1_795_800_000)
        let offset = DatabaseClock.offset(
            sent: base.addingTimeInterval(sample.sent), received: base.addingTimeInterval(sample.received),
            server: base.addingTimeInterval(sample.server))
        #expect(abs(offset - sample.offset) < 1e-9)
    }

    @Test("a store's clock reads the server's time")
    func readsTheServer() async throws {
        try await TestBackend.withPostgresStore { store in
            let clock = try await store.clock()
            // The server's reading falls between the clock's readings before and after the query,
            // however long the round trip takes on a loaded host, give or take the tolerance.
            let before = clock.now.timeIntervalSince1970
            let server = try #require(try await TestPostgres.rows(
                "SELECT extract(epoch FROM clock_timestamp())::text", on: store.location).first?.first ?? nil)
            let after = clock.now.timeIntervalSince1970
            let serverTime = try #require(Double(server))
            #expect(
                serverTime > before - 0.5 && serverTime < after + 0.5,
                "server \(serverTime), clock \(before) to \(after), offset \(clock.measuredOffset) s")
        }
    }
}
