import Foundation
import Testing
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// The wall clock is not to be trusted: NTP steps it, people set it by hand.
@Suite("Clock jumps")
struct ClockJumpTests {
    @Test("a clock jumping forward runs every due step once; jumping back and forward again fires nothing twice")
    func jumps() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let t0 = server.clock.now
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            func pages() async throws -> [String] {
                try await server.store.notifications(incidentID: 1).map(\.idempotencyKey)
            }
            _ = try await server.server.escalator.tick()
            #expect(try await pages().count == 1, "alice at once")

            // Forward 20 minutes in one step: bob (5m) and carol (15m) run now, once each, late.
            server.clock.set(to: t0.addingTimeInterval(1200))
            _ = try await server.server.escalator.tick()
            let afterJump = try await pages()
            #expect(afterJump.count == 3)
            let detail = try await server.store.incident(id: 1)
            #expect(detail.timeline.filter { $0.kind == .notified }.compactMap(\.latenessMs) == [0, 900_000, 300_000])

            // Back to +1 minute, then forward again to +20 minutes: nothing runs twice.
            for offset in [60.0, 600, 1200, 30, 1199] {
                server.clock.set(to: t0.addingTimeInterval(offset))
                _ = try await server.server.escalator.tick()
                #expect(try await pages() == afterJump, "at +\(Int(offset))s")
            }
            // Time then moves on normally: the repeat at +30m runs once.
            server.clock.set(to: t0.addingTimeInterval(1800))
            _ = try await server.server.escalator.tick()
            let repeated = try await pages()
            #expect(repeated.count == 4 && Set(repeated).count == 4)
        }
    }
}
