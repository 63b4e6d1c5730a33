import Foundation
import GRDB
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// The dispatcher's turn: finished attempts recorded and new ones claimed in one transaction, and
/// claims that stay cheap however long one destination's backlog is.
@Suite("Delivery turns, on SQLite and PostgreSQL")
struct DeliveryTurnStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    /// One incident per name; `team` picks the person paged (and so the destination).
    func open(_ names: [String], team: String, in store: any StateStore, configuration: TocsinConfiguration, at offset: TimeInterval) async throws {
        for name in names {
            let alert = Alert(status: .firing, labels: ["alertname": name, "team": team], startsAt: t0)
            _ = try await store.ingest(
                AlertBatch(receiver: "r", groupKey: name, status: .firing, alerts: [alert]), configuration: configuration,
                now: t0.addingTimeInterval(offset))
        }
    }

    static let teams = TocsinConfiguration(
        people: [
            Person(name: "slow", webhooks: ["http://127.0.0.1:1/slow"]), Person(name: "fast", webhooks: ["http://127.0.0.1:2/fast"]),
            Person(name: "mail", email: "mail@example.com"),
        ],
        routes: [
            Route(matchers: [try! Matcher(parsing: "team=slow")], policy: "slow"),
            Route(matchers: [try! Matcher(parsing: "team=mail")], policy: "mail"), Route(matchers: [], policy: "fast"),
        ],
        policies: ["slow", "fast", "mail"].map { EscalationPolicy(name: $0, steps: [.init(after: 0, notify: [.person($0)])]) })

    @Test("a backlog longer than a claim reads in due order does not hide the other destinations behind it", arguments: TestBackend.allCases)
    func backlogBeyondTheWindow(backend: TestBackend) async throws {
        try await backend.withStore { store in
            // 100 pages to the slow origin (a claim of 8 reads only the oldest 8 in due order), then one to each of the others.
            try await open((0..<100).map { "Slow\($0)" }, team: "slow", in: store, configuration: Self.teams, at: 0)
            try await open(["Fast"], team: "fast", in: store, configuration: Self.teams, at: 1)
            try await open(["Mail"], team: "mail", in: store, configuration: Self.teams, at: 2)
            let now = t0.addingTimeInterval(60)

            // The slow origin at its limit from the start: the two others are found all the same.
            let others = try await store.claimDueNotifications(
                now: now, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2, inFlight: ["http://127.0.0.1:1": 2]))
            #expect(others.map(\.destination) == ["http://127.0.0.1:2", "email"])
            // One slot free at the slow origin: its oldest page, and nothing else.
            let oldest = try await store.claimDueNotifications(
                now: now, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2, inFlight: ["http://127.0.0.1:1": 1]))
            #expect(oldest.map(\.incidentID) == [1])
            // What is left is due already and waits for the slow origin: the next time to look is a lease's end.
            let next = try #require(try await store.nextDeliveryDue(after: now))
            #expect(next > now)
        }
    }

    @Test("one turn records every finished attempt and claims; what waited behind a finished page goes in the same turn", arguments: TestBackend.allCases)
    func recordThenClaim(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(["A", "B"], team: "mail", in: store, configuration: Self.teams, at: 0)
            let pages = try await store.claimDueNotifications(now: t0, limit: 8)
            #expect(pages.count == 2)
            // While incident 1's page is in flight, it is acknowledged: the notice to the same address waits.
            let t1 = t0.addingTimeInterval(1)
            _ = try await store.acknowledge(id: 1, by: Actor(name: "mail", channel: "cli"), note: nil, now: t1)
            #expect(try await store.claimDueNotifications(now: t1, limit: 8).isEmpty)

            let finished = pages.map { page in
                CompletedAttempt(entry: page, startedAt: t0, finishedAt: t1, statusCode: 250, error: nil, outcome: .sent, rendered: "mail")
            }
            let turn = try await store.deliveryTurn(
                recording: finished, now: t1, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2))
            #expect(turn.claimed.map(\.event) == [.acknowledged])
            #expect(turn.nextDue == t1.addingTimeInterval(60), "the claimed notice's lease")
            for incident: Int64 in [1, 2] {
                let page = try #require(try await store.notifications(incidentID: incident).first)
                #expect(page.state == .sent && page.sentAt == t1 && page.rendered == "mail")
                #expect(try await store.deliveryAttempts(incidentID: incident).map(\.outcome) == ["sent"])
            }
        }
    }

    @Test("an attempt at a notification deleted meanwhile is passed over; the others are recorded and the turn claims")
    func vanishedNotification() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        try await open(["A", "B"], team: "mail", in: store, configuration: Self.teams, at: 0)
        let pages = try await store.claimDueNotifications(now: t0, limit: 1)
        let finished = CompletedAttempt(entry: try #require(pages.first), startedAt: t0, finishedAt: t0, statusCode: 250, error: nil, outcome: .sent, rendered: nil)
        var vanished = finished
        vanished.entry.id = 999
        let turn = try await store.deliveryTurn(
            recording: [vanished, finished], now: t0, limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2))
        #expect(turn.claimed.map(\.incidentID) == [2])
        #expect(try await store.notifications(incidentID: 1).map(\.state) == [.sent])
        #expect(try await store.deliveryAttempts(incidentID: 1).map(\.outcome) == ["sent"])
        #expect(try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery_attempts") } == 1)
    }

    @Test("a destination that accepted a page in a turn wakes every retry there recorded in the same turn", arguments: TestBackend.allCases)
    func wakeAfterTheWholeTurn(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(["A", "B", "C"], team: "fast", in: store, configuration: Self.teams, at: 0)
            let pages = try await store.claimDueNotifications(now: t0, limit: 8)
            #expect(pages.count == 3)
            let t1 = t0.addingTimeInterval(1)
            let outcomes: [DeliveryPolicy.Outcome] = [.sent, .retry(at: t0.addingTimeInterval(300), reason: "HTTP 503"), .sent]
            let finished = zip(pages, outcomes).map { page, outcome in
                CompletedAttempt(entry: page, startedAt: t0, finishedAt: t1, statusCode: 200, error: nil, outcome: outcome, rendered: "{}")
            }
            _ = try await store.deliveryTurn(
                recording: finished, now: t1, limit: 0, lease: 60, destinationLimit: DestinationLimit(perDestination: 2))
            let retried = try #require(try await store.notifications(incidentID: pages[1].incidentID).first)
            #expect(retried.state == .retry && retried.dueAt == t1, "woken by the page accepted after it in the same turn")
        }
    }

    @Test("a dead notification queued again by hand keeps its destination, so the limit per destination holds for it")
    func retriedByHandKeepsDestination() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        try await open(["A"], team: "slow", in: store, configuration: Self.teams, at: 0)
        let page = try #require(try await store.claimDueNotifications(now: t0).first)
        try await store.recordAttempt(page, startedAt: t0, finishedAt: t0, statusCode: 400, error: nil, outcome: .dead(reason: "HTTP 400"), rendered: nil)
        try await store.writer.write { db in try db.execute(sql: "UPDATE outbox SET destination = ''") }  // as migration 13 left finished rows once
        _ = try await store.retryDelivery(id: try #require(page.id), now: t0.addingTimeInterval(1))
        let full = DestinationLimit(perDestination: 2, inFlight: ["http://127.0.0.1:1": 2])
        #expect(try await store.claimDueNotifications(now: t0.addingTimeInterval(1), limit: 8, lease: 60, destinationLimit: full).isEmpty)
        #expect(try await store.claimDueNotifications(now: t0.addingTimeInterval(1), limit: 8, lease: 60, destinationLimit: DestinationLimit(perDestination: 2)).count == 1)
    }

    @Test("migration 13 gives every notification still to deliver the destination Swift computes")
    func destinationBackfill() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        let addresses = [
            "http://127.0.0.1:9001/alice", "http://127.0.0.1:9001?who=bob", "https://hooks.example.com#x",
            "https://hooks.example.com:8443/services/T0/B0?x=1", "https://bare.example.com", "not a url", "http:///path", "https://hôte.example/alerte",
        ]
        let configuration = TocsinConfiguration(
            people: [Person(name: "p", email: "p@example.com", webhooks: addresses)],
            routes: [Route(matchers: [], policy: "p")],
            policies: [EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("p")])])])
        let store = try TocsinStore(path: path)
        try await open(["A"], team: "any", in: store, configuration: configuration, at: 0)
        try store.close()
        // The database as version 12 left it: no destination column, no index.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DROP INDEX outbox_ready_by_destination;
                ALTER TABLE outbox DROP COLUMN destination;
                DELETE FROM grdb_migrations WHERE identifier = '0013_outbox_destination';
                """)
        }
        try queue.close()
        let migrated = try TocsinStore(path: path)
        defer { try? migrated.close() }
        let rows = try migrated.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT medium, address, destination FROM outbox ORDER BY id")
        }
        #expect(rows.count == addresses.count + 1)
        for row in rows {
            let medium = try #require(Medium(rawValue: row["medium"]))
            let address: String = row["address"]
            #expect(row["destination"] as String == DeliveryDestination.of(medium: medium, address: address), "\(address)")
        }
    }
}
