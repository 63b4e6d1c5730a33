import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTestSupport

/// The store's side of acting on incidents by hand, in a real database: notes, escalating now,
/// paging by hand, reassigning, and maintenance windows holding and releasing alerts.
@Suite("Incidents by hand, on SQLite and PostgreSQL")
struct ByHandStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let alice = Actor(name: "alice", channel: "cli")

    /// alice at once, bob at 5m, for every alert.
    static let configuration = PreparedStepStoreTests.configuration

    func batch(_ labels: [String: String], status: AlertStatus = .firing, at: Date) -> AlertBatch {
        AlertBatch(
            receiver: "team", groupKey: labels["alertname"] ?? "k", status: status,
            alerts: [Alert(status: status, labels: labels, startsAt: at, endsAt: status == .resolved ? at : nil)])
    }

    @Test("a note is a timeline entry and an audit event; with notify, a non-urgent notice to each contact paged", arguments: TestBackend.allCases)
    func note(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(batch(["alertname": "Disk"], at: t0), configuration: Self.configuration, now: t0)
            let quiet = try await store.addNote(id: 1, text: "looking", notify: false, by: alice, now: t0)
            #expect(quiet.notified == 0 && quiet.note.kind == .note && quiet.note.id != nil)
            let told = try await store.addNote(id: 1, text: "rolled back", notify: true, by: alice, now: t0)
            #expect(told.notified == 1)
            let notices = try await store.notifications(incidentID: 1).filter { $0.event == .note }
            #expect(notices.map(\.address) == ["alice@example.com"] && notices.allSatisfy { !$0.urgent })
            await #expect(throws: StoreError.self) { _ = try await store.addNote(id: 9, text: "x", notify: false, by: alice, now: t0) }
        }
    }

    @Test("escalating now writes the step, its timer and its audit in one commit; a resolved incident is refused", arguments: TestBackend.allCases)
    func escalateNow(backend: TestBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.ingest(batch(["alertname": "Disk"], at: t0), configuration: Self.configuration, now: t0)
            let later = t0.addingTimeInterval(30)
            _ = try await store.escalateNow(id: 1, toStep: nil, by: alice, note: nil, now: later, configuration: Self.configuration)
            let detail = try await store.incident(id: 1)
            #expect(detail.notifications.map(\.address) == ["alice@example.com", "bob@example.com"])
            #expect(detail.escalations.first?.nextDueAt == nil, "the policy ran its two steps")
            await #expect(throws: StoreError.self) {
                _ = try await store.escalateNow(id: 1, toStep: nil, by: alice, note: nil, now: later, configuration: Self.configuration)
            }
            _ = try await store.resolve(id: 1, by: alice, note: nil, now: later)
            await #expect(throws: StoreError.self) {
                _ = try await store.escalateNow(id: 1, toStep: 1, by: alice, note: nil, now: later, configuration: Self.configuration)
            }
        }
    }

    @Test("a manual incident pages its person through a one-step policy; reassigning stops it and starts another", arguments: TestBackend.allCases)
    func manualAndReassign(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let opened = try await store.openManualIncident(
                ManualPage(summary: "Payments failing", person: "bob"), by: alice, now: t0, configuration: Self.configuration)
            let id = try #require(opened.incident.id)
            #expect(opened.incident.source == "manual")
            #expect(try await store.notifications(incidentID: id).map(\.address) == ["bob@example.com"])
            _ = try await store.reassign(
                incident: id, ManualPage(policy: "p"), by: alice, now: t0.addingTimeInterval(60), configuration: Self.configuration)
            let detail = try await store.incident(id: id)
            #expect(detail.escalations.map(\.policyName) == ["page person:bob by hand", "p"])
            #expect(detail.notifications.map(\.address) == ["bob@example.com", "alice@example.com"])
            let audit = try await store.auditEvents(since: t0).map(\.kind)
            #expect(audit.contains(.incidentPaged) && audit.contains(.incidentReassigned))
        }
    }

    @Test("a window holds matching alerts; a later one takes over when the first closes; the last to close releases them", arguments: TestBackend.allCases)
    func maintenance(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let first = try await store.addMaintenance(MaintenanceWindow(
                matchers: [try Matcher(parsing: #"cluster="eu1""#)], startsAt: t0, endsAt: t0.addingTimeInterval(600), createdBy: "alice",
                createdAt: t0))
            let second = try await store.addMaintenance(MaintenanceWindow(
                matchers: [try Matcher(parsing: #"alertname="Disk""#)], startsAt: t0.addingTimeInterval(300), endsAt: t0.addingTimeInterval(1200),
                createdBy: "alice", createdAt: t0))
            _ = try await store.ingest(batch(["alertname": "Disk", "cluster": "eu1"], at: t0), configuration: Self.configuration, now: t0)
            #expect(try await store.notifications(incidentID: 1).isEmpty)
            #expect(try await store.incident(id: 1).maintenanceHolds.values.map { $0 } == [first.id])

            let closing = try await store.releaseClosedMaintenance(now: t0.addingTimeInterval(600), configuration: Self.configuration)
            #expect(closing.released == 1 && closing.next == t0.addingTimeInterval(1200))
            #expect(try await store.notifications(incidentID: 1).isEmpty, "the second window holds it on")
            #expect(try await store.incident(id: 1).maintenanceHolds.values.map { $0 } == [second.id])

            _ = try await store.releaseClosedMaintenance(now: t0.addingTimeInterval(1200), configuration: Self.configuration)
            #expect(try await store.notifications(incidentID: 1).map(\.address) == ["alice@example.com"])
            #expect(try await store.incident(id: 1).maintenanceHolds.isEmpty)
            #expect(try await store.maintenanceWindows(all: false, now: t0.addingTimeInterval(1200)).isEmpty)
        }
    }
}
