import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Nothing is lost when the dispatcher dies in the middle of a burst: hundreds of pages are due at
/// once, so each turn of the dispatcher records the attempts of every worker that finished and
/// claims the next lanes of pages in one transaction (`deliveryTurn`), while `tocsin serve` is
/// killed with SIGKILL four times with pages in flight (and more claimed in lanes, not started)
/// and restarted each time.
@Suite("Crash during a burst of pages, end to end", .serialized)
struct CrashDuringBurstEndToEndTests {
    /// How many incidents make the burst (two pages each).
    static let incidentCount = 400

    @Test(
        "SIGKILL during a burst of pages: every page is recorded sent and arrived at least once (repeats share a key)",
        arguments: TestBackend.allCases)
    func killsDuringBurst(backend: TestBackend) async throws {
        try await backend.withDatabase { database in try await killsDuringBurst(database) }
    }

    func killsDuringBurst(_ database: TestDatabase) async throws {
        let directory = try TemporaryDirectory("tocsin-crash-burst")
        defer { directory.remove() }
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--hang-all", "0.02"], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let hook = "http://127.0.0.1:\(receiver.port)/alice"
        let policies = try TestPolicies.write(
            TestPolicies.pageAlice(
                ["webhook: \"\(hook)\""], steps: ["{after: 0s, notify: [person: alice]}", "{after: 1s, notify: [person: alice]}"]),
            in: directory)

        // The incidents, written before Tocsin starts (the same policy, in Swift), so that the pages of
        // both steps are due when it does, whatever the load on the host: one burst of 800.
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice", webhooks: [hook])], routes: [Route(matchers: [], policy: "page")],
            policies: [EscalationPolicy(name: "page", steps: [.init(after: 0, notify: [.person("alice")]), .init(after: 1, notify: [.person("alice")])])])
        try await database.withStore { writer in
            for number in 0..<Self.incidentCount {
                let labels = ["alertname": "Burst\(number)", "severity": "critical"]
                _ = try await writer.ingest(
                    AlertBatch(receiver: "tocsin", groupKey: "burst-\(number)", status: .firing, alerts: [Alert(status: .firing, labels: labels, startsAt: Date())]),
                    configuration: configuration, now: Date())
            }
        }

        // Every page goes to the one receiver: several workers deliver to it at once, so that a turn
        // has several finished attempts to record.
        let server = try SupervisedServer(
            directory: directory,
            arguments: ["--db", database.argument, "--config", policies, "--delivery-per-destination", "8"] + TestDatabase.shortLease)
        defer { server.stop() }
        try await database.withStore { store in try await killAndCheck(server, receiver: receiver, store: store, on: database) }
    }

    /// Kills the server four times during the burst, then checks that every page was recorded
    /// sent and arrived.
    func killAndCheck(_ server: SupervisedServer, receiver: PeerProcess, store: any StateStore, on database: TestDatabase) async throws {
        let numbers = Array(0..<Self.incidentCount)

        // The crashes, while the burst is delivered: each of 4 SIGKILLs once the receiver has 80 more
        // pages and the database shows pages being sent (each is held 20 ms by the receiver, so that
        // the burst outlasts a restart on a loaded host), each followed by the restart.
        for kill in 1...4 {
            var inFlight = false
            var outbox: [String: Int] = [:]
            var received = 0
            let deadline = Date().addingTimeInterval(30)
            while !inFlight, Date() < deadline {
                outbox = try await store.operationalCounts().outbox
                received = receiver.records().count
                inFlight = (outbox["sending"] ?? 0) > 0 && received >= 80 * kill
                if !inFlight { try await Task.sleep(for: .milliseconds(2)) }
            }
            #expect(inFlight, "pages were in flight before kill \(kill): \(received) received, outbox \(outbox)")
            server.kill()
            #expect(server.waitUntilReady(seconds: 20), "the server came back")
        }
        #expect(server.starts >= 5)

        // Let what is left of the burst be delivered.
        let quiet = try await CrashTestSupport.waitUntilQuiet(store)
        #expect(quiet, "everything due has run and been delivered")

        // Every accepted alert is stored, in an incident of its own.
        let incidents = try await CrashTestSupport.allIncidents(in: store)
        let missing = numbers.filter { incidents["burst-\($0)"] == nil }
        #expect(missing.isEmpty, "accepted but not stored: \(missing.prefix(20))")

        // Both steps of every incident ran once and were sent, each under its own key, with a
        // "sent" attempt on record.
        var keys: Set<String> = []
        var withoutSentAttempt: [Int64] = []
        var miscounted: [Int64] = []
        for incident in incidents.values {
            guard let id = incident.id else { continue }
            let pages = try await store.notifications(incidentID: id)
            #expect(pages.map(\.event) == [.triggered, .escalated], "incident #\(id)")
            #expect(Set(pages.map(\.idempotencyKey)).count == pages.count, "incident #\(id)")
            #expect(pages.allSatisfy { $0.state == .sent }, "incident #\(id): \(pages.map(\.state))")
            let attempts = try await store.deliveryAttempts(incidentID: id)
            let sent = Set(attempts.filter { $0.outcome == "sent" }.map(\.outboxID))
            withoutSentAttempt += pages.compactMap(\.id).filter { !sent.contains($0) }
            // A page claimed in a lane and never started when Tocsin died spent no attempt.
            miscounted += pages.filter { page in page.attempts != attempts.filter { $0.outboxID == page.id }.count }.compactMap(\.id)
            keys.formUnion(pages.map(\.idempotencyKey))
        }
        #expect(withoutSentAttempt.isEmpty, "sent, but no \"sent\" attempt recorded: \(withoutSentAttempt.prefix(10))")
        #expect(miscounted.isEmpty, "attempts counted that are not on record: \(miscounted.prefix(10))")

        // Every page reached the receiver at least once; a repeat carries the same key.
        let received = CrashTestSupport.receivedKeys(receiver)
        let arrived = Set(received)
        #expect(keys.subtracting(arrived).isEmpty, "pages never delivered: \(keys.subtracting(arrived).prefix(10))")
        #expect(arrived.subtracting(keys).isEmpty, "deliveries of pages the database does not know")
        #expect(received.count > arrived.count, "a kill caught pages in flight, which were sent again after the restart")
        print("crash during burst on \(database.backend): \(numbers.count) incidents written, \(incidents.count) incidents, \(keys.count) pages, "
            + "\(received.count) deliveries (\(received.count - arrived.count) "
            + "repeated after a crash, same key), \(server.starts - 1) restarts")
    }
}
