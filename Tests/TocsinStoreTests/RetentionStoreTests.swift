import Foundation
import GRDB
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// Old resolved incidents and (when asked) old audit events leave the database, with everything
/// that belongs to them; nothing else does.
@Suite("Retention in SQLite")
struct RetentionStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    static let configuration = TocsinConfiguration(
        people: [Person(name: "alice", email: "alice@example.com")], routes: [Route(matchers: [], policy: "p")],
        policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice")])])])

    func open(_ test: TestStore, _ name: String, at time: Date) async throws -> Int64 {
        let alert = Alert(status: .firing, labels: ["alertname": name], startsAt: time)
        return try #require(try await test.store.ingest(
            AlertBatch(receiver: "r", groupKey: name, status: .firing, alerts: [alert]), configuration: Self.configuration, now: time
        ).incidentID)
    }

    func count(_ test: TestStore, _ table: String) async throws -> Int {
        try await test.store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    @Test("resolved incidents older than the cutoff go with their alerts, timeline, escalations, notifications and attempts")
    func resolvedIncidents() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let old = try await open(test, "Old", at: t0)
        let older = try await open(test, "Older", at: t0)
        let recent = try await open(test, "Recent", at: t0)
        let stillOpen = try await open(test, "Open", at: t0)
        for entry in try await test.store.claimDueNotifications(now: t0) {
            try await test.store.recordAttempt(entry, startedAt: t0, finishedAt: t0, statusCode: 200, error: nil, outcome: .sent, rendered: "{}")
        }
        let actor = Actor(name: "alice", channel: "cli")
        _ = try await test.store.resolve(id: old, by: actor, note: nil, now: t0.addingTimeInterval(60))
        _ = try await test.store.resolve(id: older, by: actor, note: nil, now: t0.addingTimeInterval(30))
        _ = try await test.store.resolve(id: recent, by: actor, note: nil, now: t0.addingTimeInterval(100 * 86_400))
        let cutoff = t0.addingTimeInterval(90 * 86_400)

        #expect(try await test.store.deleteResolvedIncidents(resolvedBefore: cutoff, limit: 200, maxAlerts: 1) == 1,
                "a batch stops at its alerts, but takes one incident at least")
        #expect(try await test.store.deleteResolvedIncidents(resolvedBefore: cutoff, limit: 200, maxAlerts: 0) == 1)
        #expect(try await test.store.deleteResolvedIncidents(resolvedBefore: cutoff) == 0, "nothing else is old enough")
        let left = try await test.store.incidents(filter: .all).incidents.compactMap(\.id)
        #expect(Set(left) == [recent, stillOpen])
        for table in ["incident_alerts", "timeline_events", "escalations", "outbox", "delivery_attempts"] {
            let orphans = try await test.store.writer.read { db in
                try Int.fetchOne(
                    db, sql: table == "delivery_attempts"
                        ? "SELECT COUNT(*) FROM delivery_attempts WHERE outbox_id NOT IN (SELECT id FROM outbox)"
                        : "SELECT COUNT(*) FROM \(table) WHERE incident_id = ?",
                    arguments: table == "delivery_attempts" ? [] : [old]) ?? 0
            }
            #expect(orphans == 0, "\(table) keeps rows of the deleted incident")
        }
        #expect(try await count(test, "delivery_attempts") > 0, "the kept incidents keep their attempts")
    }

    @Test("audit events older than the cutoff can be deleted by retention only; the trail still refuses any other change")
    func auditEvents() async throws {
        let test = try TestStore()
        defer { test.remove() }
        _ = try await test.store.addUser(name: "a", email: "a@example.com", tokenHash: "h1", scopes: [.read], now: t0)
        _ = try await test.store.addUser(name: "b", email: "b@example.com", tokenHash: "h2", scopes: [.read], now: t0.addingTimeInterval(86_400))
        #expect(throws: (any Error).self) {
            try test.store.writer.write { db in try db.execute(sql: "DELETE FROM audit_events") }
        }
        #expect(try await test.store.deleteAuditEvents(before: t0.addingTimeInterval(3600)) == 1)
        let left = try await test.store.auditEvents(since: .distantPast)
        #expect(left.map(\.actor) == ["b"])
        #expect(throws: (any Error).self, "newer events stay undeletable") {
            try test.store.writer.write { db in try db.execute(sql: "DELETE FROM audit_events") }
        }
        #expect(throws: (any Error).self) {
            try test.store.writer.write { db in try db.execute(sql: "UPDATE audit_events SET detail = 'x'") }
        }
    }
}
