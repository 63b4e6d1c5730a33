import Foundation
import Logging
import Testing
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

@Suite("Retention service")
struct RetentionServiceTests {
    @Test("a pass deletes incidents resolved longer ago than the retention, on the injected clock; open ones stay")
    func pass() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            #expect(try await server.ingest(try Fixtures.data("webhook-04-firing-grouped-2-alerts")).status == .ok)
            _ = try await server.store.resolve(id: 1, by: Actor(name: "alice", channel: "cli"), note: nil, now: server.clock.now)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let retention = RetentionService(
                store: server.store, clock: server.clock, incidents: 90 * 86_400, auditEvents: nil, logger: logger)
            #expect(try await retention.pass() == (0, 0), "nothing is old enough yet")
            server.clock.set(to: server.clock.now.addingTimeInterval(91 * 86_400))
            #expect(try await retention.pass() == (1, 0))
            #expect(try await server.store.incidents(filter: .all).incidents.compactMap(\.id) == [2], "the open incident stays")
        }
    }
}
