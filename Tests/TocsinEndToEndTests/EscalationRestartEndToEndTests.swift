import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// A real server with a policy of seconds, killed mid-chain and restarted on the same database (a
/// SQLite file, and PostgreSQL).
@Suite("Escalation across SIGKILL, end to end", .serialized)
struct EscalationRestartEndToEndTests {
    static let policies: [String: String] = [
        "people.yaml": """
            people:
              - {name: alice, email: alice@example.com}
              - {name: bob, email: bob@example.com}
              - {name: carol, email: carol@example.com}
            """,
        "routes.yaml": "routes:\n  - policy: fast\n",
        "policies.yaml": """
            policies:
              - name: fast
                steps:
                  - {after: 0s, notify: [person: alice]}
                  - {after: 2s, notify: [person: bob]}
                  - {after: 5s, notify: [person: carol]}
            """,
    ]

    struct Shown: Decodable {
        struct Entry: Decodable { var idempotency_key: String; var target: String }
        struct Event: Decodable { var kind: String; var note: String?; var lateness_ms: Int? }
        var notifications: [Entry]
        var timeline: [Event]
    }

    func show(_ server: ServerProcess, token: String) throws -> Shown {
        let outcome = try TocsinBinary.run(["show", "1", "--json"], environment: ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token])
        return try JSONDecoder().decode(Shown.self, from: Data(outcome.stdout.utf8))
    }

    @Test("a step that fell due while Tocsin was down runs once at start, late; no step runs twice", arguments: TestBackend.allCases)
    func killMidChain(backend: TestBackend) async throws {
        try await backend.withDatabase { database in try killMidChain(database) }
    }

    func killMidChain(_ database: TestDatabase) throws {
        let directory = try TemporaryDirectory("tocsin-restart")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
        for (name, text) in Self.policies {
            try text.write(toFile: directory.path("policies/\(name)"), atomically: true, encoding: .utf8)
        }
        let db = database.argument
        let added = try TocsinBinary.run(["users", "add", "alice", "--email", "alice@example.com", "--db", db, "--create"])
        let token = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        let arguments = ["--db", db, "--config", directory.path("policies")]

        let first = try ServerProcess(arguments: arguments, logPath: directory.path("first.log"))
        let response = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: first.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
            body: Array(try Fixtures.data("webhook-01-firing-critical-single"))))
        #expect(response.status == 200)
        // alice at once, and bob's step at 2s, prepared 2 s ahead (held in the outbox until then).
        #expect(try eventually(within: 5) { try show(first, token: token).notifications.count == 2 }, "alice, then bob")
        first.stop(signal: SIGKILL)

        Thread.sleep(forTimeInterval: 6)  // carol's step (5s, prepared from 3s) falls due while Tocsin is down
        let second = try ServerProcess(arguments: arguments, logPath: directory.path("second.log"))
        defer { second.stop() }
        #expect(try eventually(within: 5) { try show(second, token: token).notifications.count == 3 })
        Thread.sleep(forTimeInterval: 0.5)  // nothing more may arrive

        let shown = try show(second, token: token)
        #expect(shown.notifications.map(\.target) == ["person:alice", "person:bob", "person:carol"])
        #expect(Set(shown.notifications.map(\.idempotency_key)).count == 3)
        let steps = shown.timeline.filter { $0.kind == "notified" }
        #expect(steps.count == 3, "each step ran exactly once")
        let carol = try #require(steps.last)
        #expect((carol.lateness_ms ?? 0) > 0, "the late step records its lateness")
    }
}
