import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinTestSupport

@testable import TocsinStore

/// The hand-written column encodings of the hot records read back (incidents through their
/// hand-written `init(row:)`, the others through Codable) as the
/// values that were written: every column, set and unset.
@Suite("Record encoding")
struct RecordEncodingTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000.123)

    @Test("incidents, timeline events and escalations read back equal")
    func roundTrip() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let t0 = t0
        let bareIncident = Incident(
            title: "Disk \"full\" / é", severity: "critical", state: .triggered, source: "alertmanager", receiver: "r",
            groupKey: "{}:{a=\"b\"}", groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0,
            alertCount: 1, firingCount: 1, truncatedAlerts: 0)
        var fullIncident = Incident(
            title: "t", severity: "warning", state: .acknowledged, source: "s", receiver: "r2", groupKey: "k",
            groupLabels: ["alertname": "X", "b": "\u{1}\n"], externalURL: "http://am.example.com/#/alerts",
            createdAt: t0, lastSeenAt: t0.addingTimeInterval(61.5), acknowledgedAt: t0.addingTimeInterval(1),
            acknowledgedBy: "alice", resolvedAt: t0.addingTimeInterval(2), resolvedBy: "bob", alertCount: 7,
            firingCount: 3, truncatedAlerts: 2, drillRun: "run-1")
        fullIncident.correlationID = "corr-1"
        let incidents = [bareIncident, fullIncident]
        let policy = EscalationPolicy(name: "page", steps: [.init(after: 300, notify: [.person("alice")])], repeat: 1, ackTimeout: 1800)
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice", email: "alice@example.com")], routes: [Route(matchers: [], policy: "page")],
            policies: [policy])
        let snapshot = try #require(configuration.snapshot(ofPolicy: "page"))
        let stored = try await test.store.writer.write { db -> ([Incident], [TimelineEvent], [Escalation], [IncidentAlert]) in
            var bare = incidents[0]
            var full = incidents[1]
            try bare.insert(db)
            try full.insert(db)
            var events = [
                TimelineEvent(incidentID: bare.id, at: t0, kind: .opened, actor: "am", channel: "am"),
                TimelineEvent(incidentID: full.id, at: t0, kind: .notified, actor: "tocsin", channel: "email", note: "n", latenessMs: 12),
            ]
            for index in events.indices { try events[index].insert(db) }
            var escalations = [
                Escalation(incidentID: try #require(bare.id), snapshot: snapshot, startedAt: t0, nextDueAt: nil),
                Escalation(incidentID: try #require(full.id), snapshot: snapshot, epoch: 2, startedAt: t0, position: 1, nextDueAt: t0.addingTimeInterval(300),
                           startedBy: "DiskFull on db1:9100", createdAt: t0),
            ]
            for index in escalations.indices { try escalations[index].insert(db) }
            var alerts = [
                IncidentAlert(
                    incidentID: try #require(bare.id), alert: Alert(status: .firing, labels: ["alertname": "X"], startsAt: t0),
                    firstSeenAt: t0, lastSeenAt: t0),
                IncidentAlert(
                    incidentID: try #require(full.id),
                    alert: Alert(
                        status: .resolved, labels: ["alertname": "Y", "quote": "\"a\"\\b", "ünï": "\u{1}\n"],
                        annotations: ["summary": "disk <full> & 🔥"], startsAt: t0, endsAt: t0.addingTimeInterval(90.25),
                        generatorURL: "http://prometheus:9090/graph?g0.expr=up"),
                    firstSeenAt: t0.addingTimeInterval(1), lastSeenAt: t0.addingTimeInterval(2)),
            ]
            for index in alerts.indices { try alerts[index].insert(db) }
            return ([bare, full], events, escalations, alerts)
        }
        let read = try await test.store.writer.read { db in
            (try Incident.order(Column("id")).fetchAll(db), try TimelineEvent.order(Column("id")).fetchAll(db),
             try Escalation.order(Column("id")).fetchAll(db), try IncidentAlert.order(Column("id")).fetchAll(db))
        }
        #expect(read.0 == stored.0)
        #expect(read.1 == stored.1)
        #expect(read.2 == stored.2)
        #expect(read.3 == stored.3)
        // Incidents are read by position: every column of the table is one the record reads and writes.
        let columns = try await test.store.writer.read { db in try db.columns(in: "incidents").map(\.name) }
        #expect(columns == Incident.storedColumnNames)
    }

    @Test("a policy snapshot's JSON is reused while the policy is the same, and renewed when it changes")
    func snapshotJSONCache() throws {
        func snapshot(after: TimeInterval) throws -> PolicySnapshot {
            let configuration = TocsinConfiguration(
                people: [Person(name: "alice", email: "alice@example.com")], routes: [Route(matchers: [], policy: "page")],
                policies: [EscalationPolicy(name: "page", steps: [.init(after: after, notify: [.person("alice")])])])
            return try #require(configuration.snapshot(ofPolicy: "page"))
        }
        let cache = SnapshotJSONCache()
        let decoder = JSONDecoder()
        let first = try cache.json(for: try snapshot(after: 0))
        #expect(try cache.json(for: try snapshot(after: 0)) == first)
        let reloaded = try cache.json(for: try snapshot(after: 300))
        #expect(reloaded != first)
        #expect(try decoder.decode(PolicySnapshot.self, from: Data(reloaded.utf8)) == (try snapshot(after: 300)))
        #expect(try decoder.decode(PolicySnapshot.self, from: Data(first.utf8)) == (try snapshot(after: 0)))
        #expect(cache.count == 1)
    }

    @Test("the cache of decoded snapshots gives each stored text's snapshot, refuses a malformed one, and stays within its capacity")
    func decodedSnapshotCache() throws {
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice", email: "alice@example.com")], routes: [Route(matchers: [], policy: "p0")],
            policies: (0..<4).map { EscalationPolicy(name: "p\($0)", steps: [.init(after: 0, notify: [.person("alice")])]) })
        let snapshots = try (0..<4).map { try #require(configuration.snapshot(ofPolicy: "p\($0)")) }
        let cache = DecodedSnapshotCache(capacity: 2)
        for snapshot in snapshots {
            #expect(try cache.snapshot(fromJSON: try Escalation.snapshotJSON(snapshot)) == snapshot)
        }
        #expect(cache.count == 2)
        #expect(try cache.snapshot(fromJSON: try Escalation.snapshotJSON(snapshots[0])) == snapshots[0], "read again after it was dropped")
        #expect(throws: (any Error).self) { try cache.snapshot(fromJSON: "{\"policy\": 1}") }
    }

    @Test("the snapshot cache keeps at most its capacity of policies, the oldest going first")
    func snapshotJSONCacheIsBounded() throws {
        let names = (0..<5).map { "policy-\($0)" }
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice", email: "alice@example.com")],
            routes: names.map { Route(matchers: [], policy: $0, continue: true) },
            policies: names.map { EscalationPolicy(name: $0, steps: [.init(after: 0, notify: [.person("alice")])]) })
        let cache = SnapshotJSONCache(capacity: 3)
        for name in names {
            _ = try cache.json(for: try #require(configuration.snapshot(ofPolicy: name)))
        }
        #expect(cache.count == 3)
        let newest = try #require(configuration.snapshot(ofPolicy: "policy-4"))
        #expect(try cache.json(for: newest) == (try Escalation.snapshotJSON(newest)))
    }
}
