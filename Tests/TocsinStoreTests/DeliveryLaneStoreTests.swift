import Foundation
import GRDB
import Testing
import TocsinCore
@testable import TocsinStore
import TocsinTestSupport

/// Lanes: a worker claims several notifications to one destination at once and delivers them one
/// after another; what it does not start goes back to the queue uncounted, and so does what a stop
/// left claimed.
@Suite("Delivery lanes, on SQLite and PostgreSQL")
struct DeliveryLaneStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let slow = "http://127.0.0.1:1"
    let fast = "http://127.0.0.1:2"

    /// `count` incidents for `team`, a second apart, each with one page due at once.
    func open(_ count: Int, team: String, from first: Int = 0, in store: any StateStore) async throws {
        for number in first..<(first + count) {
            let alert = Alert(status: .firing, labels: ["alertname": "\(team)\(number)", "team": team], startsAt: t0)
            _ = try await store.ingest(
                AlertBatch(receiver: "r", groupKey: "\(team)\(number)", status: .firing, alerts: [alert]),
                configuration: DeliveryTurnStoreTests.teams, now: t0.addingTimeInterval(Double(number)))
        }
    }

    func turn(_ store: any StateStore, at now: Date, lanes: Int, limit: DestinationLimit, recording: [CompletedAttempt] = [], releasing: [OutboxEntry] = [])
        async throws -> DeliveryTurn
    {
        try await store.deliveryTurn(recording: recording, releasing: releasing, now: now, limit: lanes, lease: 60, destinationLimit: limit)
    }

    /// The first pages of the incidents, by incident.
    func triggeredPages(in store: any StateStore) async throws -> [OutboxEntry] {
        try await store.deliveries(states: []).filter { $0.event == .triggered }.sorted { $0.incidentID < $1.incidentID }
    }

    @Test("a destination's pages are shared evenly between as many lanes as it has room for, each in due order", arguments: TestBackend.allCases)
    func lanesShareADestination(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(10, team: "slow", in: store)
            try await open(1, team: "fast", from: 10, in: store)
            let now = t0.addingTimeInterval(60)

            let turn = try await turn(store, at: now, lanes: 8, limit: DestinationLimit(perDestination: 2, pagesPerLane: 4))
            // 2 lanes of 4 to the slow receiver (its limit), and the fast one's page in a lane of its own.
            #expect(turn.lanes.map { $0.map(\.incidentID) } == [[1, 3, 5, 7], [2, 4, 6, 8], [11]])
            #expect(turn.lanes.allSatisfy { lane in Set(lane.map(\.destination)).count == 1 })
            #expect(turn.claimed.allSatisfy { $0.state == .sending && $0.attempts == 1 })
            // One lane in flight to the slow receiver: the next claim takes one more lane of what is left there.
            let next = try await self.turn(
                store, at: now, lanes: 8, limit: DestinationLimit(perDestination: 2, inFlight: [slow: 1], pagesPerLane: 4))
            #expect(next.lanes.map { $0.map(\.incidentID) } == [[9, 10]])
        }
    }

    @Test("a backlog at its limit: the seeks by destination take whole lanes to the other destinations", arguments: TestBackend.allCases)
    func backlogBeyondTheWindowInLanes(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(40, team: "slow", in: store)
            try await open(3, team: "fast", from: 40, in: store)
            let claimed = try await store.claimDueNotifications(
                now: t0.addingTimeInterval(60), limit: 2, lease: 60, destinationLimit: DestinationLimit(perDestination: 1, inFlight: [slow: 1], pagesPerLane: 4))
            #expect(claimed.map(\.incidentID) == [41, 42, 43])
        }
    }

    @Test("claims a lane gives back return to the queue as they were, uncounted; one whose pages were cancelled meanwhile ends cancelled", arguments: TestBackend.allCases)
    func releasedClaims(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let now = t0.addingTimeInterval(60)
            // Incident 1's page was tried once and waits for its retry; incidents 2 and 3 open after.
            try await open(1, team: "fast", in: store)
            let first = try #require(try await store.claimDueNotifications(now: t0, limit: 8).first)
            try await store.recordAttempt(
                first, startedAt: t0, finishedAt: t0, statusCode: 503, error: nil, outcome: .retry(at: now, reason: "HTTP 503"), rendered: "{}")
            try await open(2, team: "fast", from: 1, in: store)
            let lane = try #require(try await turn(store, at: now, lanes: 1, limit: DestinationLimit(perDestination: 1, pagesPerLane: 8)).lanes.first)
            #expect(lane.map(\.incidentID) == [2, 3, 1])
            #expect(lane.map(\.attempts) == [1, 1, 2])

            // The first page is sent; incident 3 is acknowledged meanwhile; the lane gives back the two it did not start.
            let sent = CompletedAttempt(entry: lane[0], startedAt: now, finishedAt: now, statusCode: 200, error: nil, outcome: .sent, rendered: "{}")
            _ = try await store.acknowledge(id: 3, by: Actor(name: "fast", channel: "cli"), note: nil, now: now)
            let later = now.addingTimeInterval(5)
            _ = try await turn(store, at: later, lanes: 0, limit: DestinationLimit(perDestination: 1), recording: [sent], releasing: Array(lane[1...]))

            let pages = try await triggeredPages(in: store)
            #expect(pages.map(\.state) == [.retry, .sent, .cancelled])
            #expect(pages.map(\.updatedAt) == [later, now, later], "a row given back changed when it was given back")
            #expect(pages.map(\.attempts) == [1, 1, 0], "a page given back is uncounted")
            #expect(pages.allSatisfy { $0.leaseUntil == nil })
            #expect(pages.map(\.lastError) == ["HTTP 503", nil, "cancelled: incident acknowledged by fast"])
            #expect(try await store.deliveryAttempts(incidentID: 1).map(\.outcome) == ["retry"], "no attempt recorded for a page given back")
            // What was given back is claimed again, as the attempt it would have been; the cancelled page is not.
            let again = try await store.claimDueNotifications(now: now, limit: 8)
            #expect(again.filter { $0.event == .triggered }.map { [$0.incidentID, Int64($0.attempts)] } == [[1, 2]])
        }
    }

    @Test("a claimed page whose incident is handled meanwhile ends cancelled if its attempt fails, and sent if it was accepted", arguments: TestBackend.allCases)
    func cancelledWhileClaimed(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(2, team: "fast", in: store)
            let now = t0.addingTimeInterval(60)
            let pages = try await store.claimDueNotifications(now: now, limit: 8)
            #expect(pages.count == 2)
            for id: Int64 in [1, 2] {
                _ = try await store.resolve(id: id, by: Actor(name: "fast", channel: "cli"), note: nil, now: now)
            }
            let outcomes: [DeliveryPolicy.Outcome] = [.sent, .retry(at: now.addingTimeInterval(5), reason: "HTTP 503")]
            try await store.recordAttempts(zip(pages, outcomes).map { page, outcome in
                CompletedAttempt(entry: page, startedAt: now, finishedAt: now, statusCode: 200, error: nil, outcome: outcome, rendered: "{}")
            })
            let states = try await triggeredPages(in: store)
            #expect(states.map(\.state) == [.sent, .cancelled])
            #expect(states.last?.lastError == "cancelled: incident resolved by fast")
        }
    }

    @Test("a cancelled claim whose lease ran out (its attempt or give-back never recorded) ends cancelled, and what waited behind it goes", arguments: TestBackend.allCases)
    func cancelledClaimPastItsLease(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await open(1, team: "fast", in: store)
            let now = t0.addingTimeInterval(60)
            let page = try #require(try await store.claimDueNotifications(now: now, limit: 8, lease: 30).first)
            _ = try await store.acknowledge(id: 1, by: Actor(name: "fast", channel: "cli"), note: nil, now: now)
            // The acknowledgement notice to the same address waits behind the claimed page.
            #expect(try await store.claimDueNotifications(now: now.addingTimeInterval(1), limit: 8).isEmpty)
            let later = try await store.claimDueNotifications(now: now.addingTimeInterval(31), limit: 8)
            let all = try await store.notifications(incidentID: 1)
            #expect(later.map(\.event) == [.acknowledged], "\(all.map { ($0.event, $0.state, $0.leaseUntil, $0.dueAt) })")
            let ended = try #require(try await store.notifications(incidentID: 1).first { $0.id == page.id })
            #expect(ended.state == .cancelled && ended.lastError == "cancelled: incident acknowledged by fast")
        }
    }

    @Test("at start-up, claims left by a stop count only the attempts on record")
    func recoveryCountsRecordedAttempts() async throws {
        let test = try TestStore()
        defer { test.remove() }
        let store = test.store
        try await open(3, team: "fast", in: store)
        let now = t0.addingTimeInterval(60)
        // Incident 1's page failed once; then a lane claims all three, and the process dies.
        let early = try #require(try await store.claimDueNotifications(now: t0, limit: 1).first)
        try await store.recordAttempt(
            early, startedAt: t0, finishedAt: t0, statusCode: 503, error: nil, outcome: .retry(at: now, reason: "HTTP 503"), rendered: "{}")
        let lane = try #require(try await turn(store, at: now, lanes: 1, limit: DestinationLimit(perDestination: 1, pagesPerLane: 8)).lanes.first)
        #expect(lane.map(\.incidentID) == [2, 3, 1], "the retry is due last")
        _ = try await store.acknowledge(id: 3, by: Actor(name: "fast", channel: "cli"), note: nil, now: now)

        #expect(try await store.recoverInterruptedDeliveries(now: now) == 3)
        let recovered = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT state, attempts FROM outbox WHERE event = 'triggered' ORDER BY incident_id")
        }
        #expect(recovered.map { $0["state"] as String } == ["retry", "pending", "cancelled"], "never tried: pending again; incident 3 was acknowledged")
        #expect(recovered.map { $0["attempts"] as Int } == [1, 0, 0])
        let again = try await store.claimDueNotifications(now: now, limit: 8).filter { $0.event == .triggered }
        #expect(again.map { [$0.incidentID, Int64($0.attempts)] } == [[1, 2], [2, 1]], "all due at the restart")
    }
}
