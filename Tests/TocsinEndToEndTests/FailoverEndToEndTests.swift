import Foundation
import Testing
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Two Tocsin instances on one PostgreSQL database, one of them killed with SIGKILL: the other
/// sends every page, on time or within a lease of it, and a page sent twice carries one
/// idempotency key.
@Suite("Failover between two instances on PostgreSQL, end to end")
struct FailoverEndToEndTests {
    /// Seconds a claim is held: how long a page claimed by a dead instance waits.
    static let lease = 4.0

    /// Two instances, a webhook receiver, and a policy paging alice at once, bob at +10 s and carol at +20 s.
    final class World: @unchecked Sendable {
        let directory: TemporaryDirectory
        let receiver: PeerProcess
        let database: String
        var instances: [ServerProcess] = []

        init(location: PostgresLocation, receiverArguments: [String] = []) throws {
            directory = try TemporaryDirectory("tocsin-failover")
            receiver = try PeerProcess(script: "webhook_receiver.py", arguments: receiverArguments, logPath: directory.path("webhook.jsonl"))
            try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
            let hook = "http://127.0.0.1:\(receiver.port)"
            try """
                people:
                  - {name: alice, webhook: "\(hook)/alice"}
                  - {name: bob, webhook: "\(hook)/bob"}
                  - {name: carol, webhook: "\(hook)/carol"}
                routes:
                  - policy: chain
                policies:
                  - name: chain
                    steps:
                      - {after: 0s, notify: [person: alice]}
                      - {after: 10s, notify: [person: bob]}
                      - {after: 20s, notify: [person: carol]}
                    ack_timeout: 1h
                """.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
            database = location.description
        }

        /// Starts instance `name` on the shared database.
        @discardableResult
        func start(_ name: String) throws -> ServerProcess {
            let instance = try ServerProcess(
                arguments: [
                    "--db", database, "--config", directory.path("policies"), "--lease", "\(FailoverEndToEndTests.lease)",
                    "--delivery-timeout", "1", "--delivery-connect-timeout", "1",
                ],
                logPath: directory.path("\(name).log"))
            instances.append(instance)
            return instance
        }

        /// Posts the critical fixture to `instance`.
        func ingest(through instance: ServerProcess) throws {
            let response = try HTTPTransfer.perform(HTTPTransferRequest(
                method: "POST", url: instance.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
                body: Array(try Fixtures.data("webhook-01-firing-critical-single"))))
            #expect(response.status == 200, "ingest through \(instance.url)")
        }

        /// The pages received, by person: when each request came, and its idempotency key.
        func pages() -> [String: [(time: Double, key: String)]] {
            var pages: [String: [(time: Double, key: String)]] = [:]
            for record in receiver.records() {
                guard let path = record["path"] as? String, let time = record["time"] as? Double,
                    let headers = record["headers"] as? [String: String]
                else { continue }
                let key = headers.first { $0.key.lowercased() == "idempotency-key" }?.value ?? ""
                pages[String(path.dropFirst()), default: []].append((time, key))
            }
            return pages
        }

        func stop() {
            for instance in instances { _ = instance.stop(signal: SIGKILL) }
            receiver.stop()
            directory.remove()
        }
    }

    /// Checks that alice, bob and carol were each paged, every copy of a page under one key, and
    /// bob and carol no later than `allowed` seconds after their due times (from `opened`).
    func expectChain(_ world: World, opened: Double, allowed: Double, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(eventually(within: 40) { world.pages()["carol"] != nil }, "carol's page arrives", sourceLocation: sourceLocation)
        Thread.sleep(forTimeInterval: 0.5)  // a duplicate would be on its way by now
        let pages = world.pages()
        var report: [String] = []
        for (person, due) in [("alice", 0.0), ("bob", 10.0), ("carol", 20.0)] {
            let received = pages[person] ?? []
            #expect(!received.isEmpty, "\(person) was paged", sourceLocation: sourceLocation)
            #expect(Set(received.map(\.key)).count == 1, "\(person)'s copies share one key: \(received.map(\.key))", sourceLocation: sourceLocation)
            guard let first = received.map(\.time).min() else { continue }
            let lateness = first - (opened + due)
            report.append("\(person): \(received.count) request(s), \(String(format: "%.2f", lateness)) s after due")
            #expect(lateness <= allowed, "\(person) paged \(lateness) s after the due time", sourceLocation: sourceLocation)
        }
        return report.joined(separator: "; ")
    }

    @Test("A is killed after the first page: B sends the +10 s and +20 s pages on time")
    func killedAfterFirstPage() async throws {
        try await TestPostgres.withDatabase { location in
            let world = try World(location: location)
            defer { world.stop() }
            let a = try world.start("a")
            try world.start("b")
            let opened = Date().timeIntervalSince1970
            try world.ingest(through: a)
            #expect(eventually(within: 10) { world.pages()["alice"] != nil })
            _ = a.stop(signal: SIGKILL)
            let report = expectChain(world, opened: opened, allowed: Self.lease + 1)
            print("failover, A killed after the first page: \(report)")
        }
    }

    @Test("A is killed while it holds a delivery lease: B sends that page again once the lease runs out, with the same key")
    func killedHoldingALease() async throws {
        // The receiver holds the first request (alice's page, from A) open: A dies with it in flight.
        try await TestPostgres.withDatabase { location in
            let world = try World(location: location, receiverArguments: ["--hang-first", "60"])
            defer { world.stop() }
            let a = try world.start("a")
            let opened = Date().timeIntervalSince1970
            try world.ingest(through: a)
            #expect(eventually(within: 10) { world.pages()["alice"] != nil }, "A's attempt reaches the receiver")
            try world.start("b")
            _ = a.stop(signal: SIGKILL)
            #expect(eventually(within: Self.lease + 10) { (world.pages()["alice"]?.count ?? 0) >= 2 }, "B sends alice's page again")
            let alice = world.pages()["alice"] ?? []
            if alice.count >= 2 {
                // The lease runs from A's claim, a moment after the ingest: B retakes it within the lease plus 1 s of it.
                #expect(alice[1].time - opened <= Self.lease + 1 + 1, "alice's page sent again \(alice[1].time - opened) s after the ingest")
            }
            let report = expectChain(world, opened: opened, allowed: Self.lease + 1)
            let retaken = alice.count >= 2 ? String(format: "%.2f", alice[1].time - opened) : "never"
            print("failover, A killed holding a lease: \(report); alice's page sent again \(retaken) s after the ingest")
        }
    }

    @Test("the group's webhooks alternate between A and B: one incident, each page once per key, through A's death")
    func ingestAlternates() async throws {
        try await TestPostgres.withDatabase { location in
            let world = try World(location: location)
            defer { world.stop() }
            let a = try world.start("a")
            let b = try world.start("b")
            let opened = Date().timeIntervalSince1970
            for round in 0..<6 {
                try world.ingest(through: round % 2 == 0 ? a : b)
            }
            #expect(eventually(within: 10) { world.pages()["alice"] != nil })
            _ = a.stop(signal: SIGKILL)
            try world.ingest(through: b)
            let report = expectChain(world, opened: opened, allowed: Self.lease + 1)
            #expect(world.pages().values.allSatisfy { Set($0.map(\.key)).count == 1 })
            print("failover, ingest alternating: \(report)")
            #expect(try await TestPostgres.rows("SELECT count(*)::text FROM incidents", on: location) == [["1"]])
        }
    }
}
