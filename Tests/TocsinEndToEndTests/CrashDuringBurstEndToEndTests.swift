import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Nothing is lost when the dispatcher dies in the middle of a burst: hundreds of escalation steps
/// fall due at nearly the same instant, so each turn of the dispatcher records the attempts of every
/// worker that finished and claims the next pages in one transaction (`deliveryTurn`), while
/// `tocsin serve` is killed with SIGKILL at random moments and restarted each time.
@Suite("Crash during a burst of pages, end to end", .serialized)
struct CrashDuringBurstEndToEndTests {
    /// How many incidents make the burst, and how many threads open them.
    static let incidentCount = 400
    static let senders = 4

    /// What the sender threads got: the numbers of the alerts answered 2xx, and how many threads are done.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var numbers: [Int] = []
        private var done = 0
        var accepted: [Int] { lock.withLock { numbers } }
        var finished: Int { lock.withLock { done } }
        func add(_ number: Int) { lock.withLock { numbers.append(number) } }
        func finish() { lock.withLock { done += 1 } }
    }

    static func payload(_ number: Int) -> [UInt8] {
        Array(#"""
            {"version":"4","groupKey":"burst-\#(number)","status":"firing","receiver":"tocsin","groupLabels":{"alertname":"Burst\#(number)"},"commonLabels":{"alertname":"Burst\#(number)","severity":"critical"},"commonAnnotations":{},"externalURL":"","alerts":[{"status":"firing","labels":{"alertname":"Burst\#(number)","severity":"critical"},"annotations":{},"startsAt":"2026-11-27T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":""}]}
            """#.utf8)
    }

    /// Whether the server answered 2xx to alert `number` posted to `url`.
    static func post(_ number: Int, to url: String) -> Bool {
        let request = HTTPTransferRequest(
            method: "POST", url: url, headers: [("Content-Type", "application/json")], body: payload(number),
            connectTimeout: 1, totalTimeout: 5)
        return (try? HTTPTransfer.perform(request)).map { (200..<300).contains($0.status) } ?? false
    }

    /// Waits (at most 600 polls of 100 ms) until nothing waits in the outbox and no escalation step
    /// is due; false if that never happened.
    static func waitUntilQuiet(_ store: TocsinStore) async throws -> Bool {
        for _ in 0..<600 {
            let outbox = try await store.operationalCounts().outbox
            let waiting = ["pending", "retry", "sending"].reduce(0) { $0 + (outbox[$1] ?? 0) }
            if waiting == 0, try await store.nextEscalationDue() == nil { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Every incident in the store, by group key, read page by page.
    static func allIncidents(in store: TocsinStore) async throws -> [String: Incident] {
        var incidents: [String: Incident] = [:]
        var before: Int64?
        repeat {
            let page = try await store.incidents(filter: .all, limit: TocsinStore.maxPageSize, before: before)
            for incident in page.incidents { incidents[incident.groupKey] = incident }
            before = page.nextBefore
        } while before != nil
        return incidents
    }

    /// The idempotency key of every page the receiver got, one per delivery (repeats included).
    static func receivedKeys(_ receiver: PeerProcess) -> [String] {
        receiver.records().compactMap { record in
            guard let body = record["body"] as? String,
                let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            else { return nil }
            return object["idempotency_key"] as? String
        }
    }

    @Test("SIGKILL during a burst of pages: every page is recorded sent and arrived at least once (repeats share a key)")
    func killsDuringBurst() async throws {
        let directory = try TemporaryDirectory("tocsin-crash-burst")
        defer { directory.remove() }
        let receiver = try PeerProcess(
            script: "webhook_receiver.py", arguments: ["--hang-all", "0.01"], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let policies = try TestPolicies.write(
            TestPolicies.pageAlice(
                ["webhook: \"http://127.0.0.1:\(receiver.port)/alice\""],
                steps: ["{after: 0s, notify: [person: alice]}", "{after: 3s, notify: [person: alice]}"]),
            in: directory)
        let db = directory.path("tocsin.sqlite")
        // Every page goes to the one receiver: let several workers deliver to it at once, so that a
        // turn has several finished attempts to record.
        let server = try SupervisedServer(
            directory: directory, arguments: ["--db", db, "--config", policies, "--delivery-per-destination", "8"])
        defer { server.stop() }

        // The incidents, opened as fast as a few threads can: their second steps (at +3 s) fall due together.
        let tally = Tally()
        let url = server.url + "/api/v1/ingest/alertmanager"
        let deadline = Date().addingTimeInterval(60)
        for sender in 0..<Self.senders {
            Thread {
                for number in stride(from: sender, to: Self.incidentCount, by: Self.senders) where Date() < deadline {
                    if Self.post(number, to: url) { tally.add(number) }
                }
                tally.finish()
            }.start()
        }
        while tally.finished < Self.senders { try await Task.sleep(for: .milliseconds(20)) }
        let numbers = tally.accepted
        let refused = Set(0..<Self.incidentCount).subtracting(numbers).sorted()
        #expect(refused.isEmpty, "not accepted (the server was not killed yet): \(refused.prefix(20))")

        // The crashes, while the burst is delivered: each of 4 SIGKILLs once the receiver has 40 more
        // of the second pages (so with deliveries in flight, each held 10 ms by the receiver), each
        // followed by the restart.
        for kill in 1...4 {
            let arrived = eventually(within: 30) { receiver.records().count >= Self.incidentCount + 40 * kill }
            #expect(arrived, "the burst was under way before kill \(kill)")
            server.kill()
            #expect(server.waitUntilReady(seconds: 20), "the server came back")
        }
        #expect(server.starts >= 5)

        // Let what is left of the burst be delivered.
        let store = try TocsinStore(path: db)
        defer { try? store.close() }
        let quiet = try await Self.waitUntilQuiet(store)
        #expect(quiet, "everything due has run and been delivered")

        // Every accepted alert is stored, in an incident of its own.
        let incidents = try await Self.allIncidents(in: store)
        let missing = numbers.filter { incidents["burst-\($0)"] == nil }
        #expect(missing.isEmpty, "accepted but not stored: \(missing.prefix(20))")

        // Both steps of every incident ran once and were sent, each under its own key, with a
        // "sent" attempt on record.
        var keys: Set<String> = []
        var withoutSentAttempt: [Int64] = []
        var claimedAgain = 0
        for incident in incidents.values {
            guard let id = incident.id else { continue }
            let pages = try await store.notifications(incidentID: id)
            #expect(pages.map(\.event) == [.triggered, .escalated], "incident #\(id)")
            #expect(Set(pages.map(\.idempotencyKey)).count == pages.count, "incident #\(id)")
            #expect(pages.allSatisfy { $0.state == .sent }, "incident #\(id): \(pages.map(\.state))")
            let attempts = try await store.deliveryAttempts(incidentID: id)
            let sent = Set(attempts.filter { $0.outcome == "sent" }.map(\.outboxID))
            withoutSentAttempt += pages.compactMap(\.id).filter { !sent.contains($0) }
            claimedAgain += pages.filter { $0.attempts > 1 }.count
            keys.formUnion(pages.map(\.idempotencyKey))
        }
        #expect(withoutSentAttempt.isEmpty, "sent, but no \"sent\" attempt recorded: \(withoutSentAttempt.prefix(10))")
        #expect(claimedAgain > 0, "a kill caught pages in flight, which were claimed again after the restart")

        // Every page reached the receiver at least once; a repeat carries the same key.
        let received = Self.receivedKeys(receiver)
        let arrived = Set(received)
        #expect(keys.subtracting(arrived).isEmpty, "pages never delivered: \(keys.subtracting(arrived).prefix(10))")
        #expect(arrived.subtracting(keys).isEmpty, "deliveries of pages the database does not know")
        print("crash during burst: \(numbers.count) alerts accepted, \(incidents.count) incidents, \(keys.count) pages "
            + "(\(claimedAgain) claimed more than once), \(received.count) deliveries (\(received.count - arrived.count) "
            + "repeated after a crash, same key), \(server.starts - 1) restarts")
    }
}
