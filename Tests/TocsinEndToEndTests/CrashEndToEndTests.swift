import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Nothing is lost: distinct alerts posted without pause while `tocsin serve` is killed with
/// SIGKILL at random moments (during ingest, escalation and delivery) and restarted each time, on
/// a SQLite file and on PostgreSQL.
@Suite("Crash test, end to end", .serialized)
struct CrashEndToEndTests {
    /// Collects the numbers of the alerts the server answered 2xx for.
    final class Accepted: @unchecked Sendable {
        private let lock = NSLock()
        private var numbers: [Int] = []
        private var stopping = false
        var all: [Int] { lock.withLock { numbers } }
        var stopped: Bool { lock.withLock { stopping } }
        func add(_ number: Int) { lock.withLock { numbers.append(number) } }
        func stop() { lock.withLock { stopping = true } }
    }

    static func payload(_ number: Int) -> [UInt8] {
        Array(#"""
            {"version":"4","groupKey":"crash-\#(number)","status":"firing","receiver":"tocsin","groupLabels":{"alertname":"Crash\#(number)"},"commonLabels":{"alertname":"Crash\#(number)","severity":"critical"},"commonAnnotations":{},"externalURL":"","alerts":[{"status":"firing","labels":{"alertname":"Crash\#(number)","severity":"critical"},"annotations":{},"startsAt":"2026-11-27T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":""}]}
            """#.utf8)
    }

    @Test(
        "12 SIGKILLs under load: every accepted alert is stored, every step ran once, every page arrived (duplicates share a key)",
        arguments: TestBackend.allCases)
    func killsUnderLoad(backend: TestBackend) async throws {
        try await backend.withDatabase { database in try await killsUnderLoad(database) }
    }

    func killsUnderLoad(_ database: TestDatabase) async throws {
        let directory = try TemporaryDirectory("tocsin-crash")
        defer { directory.remove() }
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let policies = try TestPolicies.write(
            TestPolicies.pageAlice(
                ["webhook: \"http://127.0.0.1:\(receiver.port)/alice\""],
                steps: ["{after: 0s, notify: [person: alice]}", "{after: 2s, notify: [person: alice]}"]),
            in: directory)
        let server = try SupervisedServer(
            directory: directory, arguments: ["--db", database.argument, "--config", policies] + TestDatabase.shortLease)
        defer { server.stop() }

        // The load: distinct alerts one after another, at most 3,000 and at most 60 s.
        let accepted = Accepted()
        let url = server.url + "/api/v1/ingest/alertmanager"
        let load = Thread {
            let deadline = Date().addingTimeInterval(60)
            for number in 0..<3000 where !accepted.stopped && Date() < deadline {
                let request = HTTPTransferRequest(
                    method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Self.payload(number),
                    connectTimeout: 1, totalTimeout: 5)
                if let response = try? HTTPTransfer.perform(request), (200..<300).contains(response.status) {
                    accepted.add(number)
                } else {
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
        }
        load.start()

        // The crashes: 12 SIGKILLs at random moments, each followed by the restart.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<12 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1200, using: &generator)))
            server.kill()
            #expect(server.waitUntilReady(seconds: 20), "the server came back")
        }
        try await Task.sleep(for: .milliseconds(500))
        accepted.stop()
        while load.isExecuting { try await Task.sleep(for: .milliseconds(50)) }
        let numbers = accepted.all
        #expect(numbers.count > 50, "the load got through between the crashes")
        #expect(server.starts >= 13)

        // Let the last escalation steps (at +2 s) and their deliveries finish.
        try await database.withStore { store in
            try await expectNothingLost(store, on: database, accepted: numbers, receiver: receiver, restarts: server.starts - 1)
        }
    }

    /// Every accepted alert is stored, every step ran once and every page arrived.
    func expectNothingLost(
        _ store: any StateStore, on database: TestDatabase, accepted numbers: [Int], receiver: PeerProcess, restarts: Int
    ) async throws {
        let quiet = try await CrashTestSupport.waitUntilQuiet(store)
        #expect(quiet, "everything due has run and been delivered")

        // Every accepted alert is stored, in an incident of its own.
        let incidents = try await CrashTestSupport.allIncidents(in: store)
        let missing = numbers.filter { incidents["crash-\($0)"] == nil }
        #expect(missing.isEmpty, "accepted but not stored: \(missing.prefix(20))")

        // Every due step ran exactly once: two pages per incident, under two distinct keys, and two
        // "notified" events on its timeline.
        var keys: Set<String> = []
        for incident in incidents.values {
            guard let id = incident.id else { continue }
            let pages = try await store.notifications(incidentID: id)
            #expect(pages.map(\.event) == [.triggered, .escalated], "incident #\(id)")
            #expect(Set(pages.map(\.idempotencyKey)).count == pages.count)
            #expect(pages.allSatisfy { $0.state == .sent }, "incident #\(id): \(pages.map(\.state))")
            let detail = try await store.incident(id: id)
            #expect(detail.timeline.filter { $0.kind == .notified }.count == 2, "incident #\(id)")
            keys.formUnion(pages.map(\.idempotencyKey))
        }

        // Every page reached the receiver at least once; a repeat carries the same key.
        let received = CrashTestSupport.receivedKeys(receiver)
        let arrived = Set(received)
        #expect(keys.subtracting(arrived).isEmpty, "pages never delivered: \(keys.subtracting(arrived).prefix(10))")
        #expect(arrived.subtracting(keys).isEmpty, "deliveries of pages the database does not know")
        let duplicates = received.count - arrived.count
        print("crash test on \(database.backend): \(numbers.count) alerts accepted, \(incidents.count) incidents, \(keys.count) pages, "
            + "\(received.count) deliveries (\(duplicates) repeated after a crash, same key), \(restarts) restarts")
    }
}
