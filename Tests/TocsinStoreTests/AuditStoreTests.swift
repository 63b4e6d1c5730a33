import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

@Suite("The audit trail in SQLite")
struct AuditStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    @Test("failed authentications: one entry per address per minute; the next one counts those not written")
    func collapsedFailures() async throws {
        let test = try TestStore()
        defer { test.remove() }
        for second in 0..<5 {
            await test.store.auditFailedAuthentication(client: "192.0.2.7", detail: "bad token", now: t0.addingTimeInterval(Double(second)))
        }
        await test.store.auditFailedAuthentication(client: "192.0.2.8", detail: "bad token", now: t0.addingTimeInterval(10))
        await test.store.auditFailedAuthentication(client: "192.0.2.7", detail: "bad token", now: t0.addingTimeInterval(61))
        let trail = try await test.store.auditEvents(since: .distantPast)
        #expect(trail.map(\.source) == ["192.0.2.7", "192.0.2.8", "192.0.2.7"])
        #expect(trail.map(\.detail) == [
            "bad token", "bad token", "bad token (and 4 more from this address since the previous entry)",
        ])
    }
}
