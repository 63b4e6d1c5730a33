import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// Old resolved incidents and (when asked) old audit events leave the database, with everything
/// that belongs to them; nothing else does.
@Suite("Retention: what leaves with an incident, and the audit trail's guard")
struct RetentionStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com")], routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice")])])])

    func open(_ store: any StateStore, _ name: String, at time: Date) async throws -> Int64 {
        let alert = Alert(status: .firing, labels: ["alertname": name], startsAt: time)
        return try #require(try await store.ingest(
            AlertBatch(receiver: "r", groupKey: name, status: .firing, alerts: [alert]), configuration: Self.configuration, now: time
        ).incidentID)
    }

    @Test("resolved incidents older than the cutoff go with their alerts, timeline, escalations, notifications and attempts",
          arguments: TestBackend.allCases)
    func resolvedIncidents(backend: TestBackend) async throws {
        try await backend.withStoreAndSQL { store, sql in
            let old = try await open(store, "Old", at: t0)
            let older = try await open(store, "Older", at: t0)
            let recent = try await open(store, "Recent", at: t0)
            let stillOpen = try await open(store, "Open", at: t0)
            for entry in try await store.claimDueNotifications(now: t0) {
                try await store.recordAttempt(entry, startedAt: t0, finishedAt: t0, statusCode: 200, error: nil, outcome: .sent, rendered: "{}")
            }
            let actor = Actor(name: "alice", channel: "cli")
            _ = try await store.resolve(id: old, by: actor, note: nil, now: t0.addingTimeInterval(60))
            _ = try await store.resolve(id: older, by: actor, note: nil, now: t0.addingTimeInterval(30))
            _ = try await store.resolve(id: recent, by: actor, note: nil, now: t0.addingTimeInterval(100 * 86_400))
            let cutoff = t0.addingTimeInterval(90 * 86_400)
            let tables = ["incident_alerts", "timeline_events", "escalations", "outbox"]
            for table in tables {
                #expect(try await sql.count(table, where: "incident_id IN (\(old), \(older))") > 0, "\(table) holds the old incidents' rows")
            }

            #expect(try await store.deleteResolvedIncidents(resolvedBefore: cutoff, limit: 200, maxAlerts: 1) == 1,
                    "a batch stops at its alerts, but takes one incident at least")
            #expect(try await store.deleteResolvedIncidents(resolvedBefore: cutoff, limit: 200, maxAlerts: 0) == 1)
            #expect(try await store.deleteResolvedIncidents(resolvedBefore: cutoff, limit: 200, maxAlerts: 5000) == 0, "nothing else is old enough")
            let left = try await store.incidents(filter: .all).incidents.compactMap(\.id)
            #expect(Set(left) == [recent, stillOpen])
            for table in tables {
                let rows = try await sql.count(table, where: "incident_id IN (\(old), \(older))")
                #expect(rows == 0, "\(table) keeps rows of a deleted incident")
            }
            #expect(try await sql.count("delivery_attempts", where: "outbox_id NOT IN (SELECT id FROM outbox)") == 0,
                    "delivery_attempts keeps rows of a deleted page")
            let kept = try await store.deliveryAttempts(incidentID: recent).count + store.deliveryAttempts(incidentID: stillOpen).count
            #expect(kept == 2, "the kept incidents keep their attempts")
            #expect(try await sql.count("delivery_attempts") == kept)
        }
    }

    @Test("audit events older than the cutoff can be deleted by retention only; the trail still refuses any other change",
          arguments: TestBackend.allCases)
    func auditEvents(backend: TestBackend) async throws {
        try await backend.withStoreAndSQL { store, sql in
            _ = try await store.addUser(name: "a", email: "a@example.com", tokenHash: "h1", scopes: [.read], now: t0)
            _ = try await store.addUser(name: "b", email: "b@example.com", tokenHash: "h2", scopes: [.read], now: t0.addingTimeInterval(86_400))
            await #expect(throws: (any Error).self) { try await sql.execute("DELETE FROM audit_events") }
            #expect(try await store.deleteAuditEvents(before: t0.addingTimeInterval(3600), limit: 1000) == 1)
            let left = try await store.auditEvents(since: .distantPast)
            #expect(left.map(\.actor) == ["b"])
            await #expect(throws: (any Error).self, "newer events stay undeletable") {
                try await sql.execute("DELETE FROM audit_events")
            }
            await #expect(throws: (any Error).self) { try await sql.execute("UPDATE audit_events SET detail = 'x'") }
            #expect(try await store.auditEvents(since: .distantPast).map(\.actor) == ["b"])
        }
    }
}
