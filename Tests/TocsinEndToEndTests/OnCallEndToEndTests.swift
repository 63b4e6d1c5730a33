import Foundation
import Testing
import TocsinCore
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// Schedules in the policy files, overrides through the CLI, and a page to whoever is on call.
@Suite("On-call schedules, end to end", .serialized)
struct OnCallEndToEndTests {
    static func policy(receiver: Int) -> String {
        """
        people:
          - {name: alice, webhook: "http://127.0.0.1:\(receiver)/alice"}
          - {name: bob, webhook: "http://127.0.0.1:\(receiver)/bob"}
        schedules:
          - name: primary
            timezone: Europe/London
            layers:
              - name: daily
                people: [alice, bob]
                shift: daily
                handoff: "09:00"
                start: 2026-01-05
        routes:
          - policy: page-oncall
        policies:
          - name: page-oncall
            steps:
              - {after: 0s, notify: [oncall: primary]}
        """
    }

    @Test("oncall shows the rotation; an override wins, pages go to it, it is audited; bad overrides change nothing")
    func overrides() async throws {
        let directory = try TemporaryDirectory("tocsin-oncall")
        defer { directory.remove() }
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
        try Self.policy(receiver: receiver.port).write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        let check = try TocsinBinary.run(["policy", "check", directory.path("policies")])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("1 schedules"))

        let db = directory.path("tocsin.sqlite")
        let token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
            .stdout.split(separator: "\n").last.map(String.init) ?? ""
        let server = try ServerProcess(arguments: ["--db", db, "--config", directory.path("policies")], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        let environment = ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token]
        func cli(_ arguments: [String]) throws -> TocsinBinary.Outcome { try TocsinBinary.run(arguments, environment: environment) }
        func json(_ arguments: [String]) throws -> Any { try JSONSerialization.jsonObject(with: Data(try cli(arguments + ["--json"]).stdout.utf8)) }

        let now = try #require(try json(["oncall"]) as? [[String: Any]])
        let onCall = try #require((now.first?["oncall"] as? [String: Any])?["person"] as? String)
        let next = try #require((now.first?["next"] as? [String: Any])?["person"] as? String)
        #expect(Set([onCall, next]) == ["alice", "bob"])
        // Fixed times: alice from 2026-01-05 09:00 London (09:00Z in winter); in summer the handoff is 08:00Z
        // (09:00 BST), and 2026-07-01 is day 177 of the rotation: bob.
        for (at, expected) in [("2026-01-05T08:59:00Z", nil), ("2026-01-05T09:00:00Z", "alice"), ("2026-01-06T10:00:00Z", "bob"),
                               ("2026-07-01T07:59:00Z", "alice"), ("2026-07-01T08:00:00Z", "bob")] as [(String, String?)] {
            let answer = try #require(try json(["oncall", "--at", at]) as? [[String: Any]])
            #expect((answer.first?["oncall"] as? [String: Any])?["person"] as? String == expected, "at \(at)")
        }
        let table = try cli(["oncall"])
        #expect(table.stdout.contains("primary") && table.stdout.contains(onCall), "\(table.stdout)")
        let shifts = try cli(["oncall", "--next", "3d"])
        #expect(shifts.stdout.components(separatedBy: "layer daily").count - 1 >= 3, "\(shifts.stdout)")

        // Bad overrides: each names its problem, exits 7, and stores nothing.
        for (arguments, message) in [
            (["--schedule", "nope", "--person", next, "--until", "+1h"], "unknown schedule \"nope\""),
            (["--schedule", "primary", "--person", "zed", "--until", "+1h"], "unknown person \"zed\""),
            (["--schedule", "primary", "--person", next, "--from=-2h", "--until=-1h"], "until is in the past"),
            (["--schedule", "primary", "--person", next, "--until", "+100d"], "at most 90 days"),
        ] {
            let refused = try cli(["override", "add"] + arguments)
            #expect(refused.status == 7, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
        #expect(try cli(["override", "add", "--schedule", "primary", "--person", next, "--until", "soon"]).status == 64)
        #expect(((try json(["override", "list", "--all"]) as? [String: Any])?["overrides"] as? [Any])?.isEmpty == true)

        let added = try cli(["override", "add", "--schedule", "primary", "--person", next, "--until", "+1h", "--note", "swap"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("Override #1: \(next) is on call for primary"))
        let overridden = try #require(try json(["oncall", "--schedule", "primary"]) as? [[String: Any]])
        #expect((overridden.first?["oncall"] as? [String: Any])?["person"] as? String == next)
        #expect((overridden.first?["oncall"] as? [String: Any])?["source"] as? String == "override #1")

        // An alert now pages the override's person, and the timeline names them.
        let posted = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "POST", url: server.url + "/api/v1/ingest/alertmanager", headers: [("Content-Type", "application/json")],
            body: Array(try Fixtures.data("webhook-01-firing-critical-single"))))
        #expect(posted.status == 200)
        let pages = receiver.waitForRecords(1, seconds: 10)
        #expect(pages.map { $0["path"] as? String } == ["/\(next)"])
        let shown = try cli(["show", "1"])
        #expect(shown.stdout.contains("\(next), on call for primary (webhook)"), "\(shown.stdout)")

        #expect(try cli(["override", "remove", "1"]).status == 0)
        #expect(try cli(["override", "remove", "1"]).status == 5)
        #expect(((try json(["override", "list", "--all"]) as? [String: Any])?["overrides"] as? [Any])?.isEmpty == true)

        let store = try TocsinStore(path: db)
        defer { try? store.close() }
        let audited = try await store.auditEvents(since: Date(timeIntervalSince1970: 0))
        #expect(audited.map(\.kind) == [.tokenCreated, .overrideAdded, .overrideRemoved])
        #expect(audited.allSatisfy { $0.actor == "admin" })
    }

    @Test("policy simulate resolves on-call targets through the schedules")
    func simulate() throws {
        let directory = try TemporaryDirectory("tocsin-oncall-simulate")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
        try Self.policy(receiver: 9).write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        let outcome = try TocsinBinary.run(
            ["policy", "simulate", "--config", directory.path("policies"), "--labels", "alertname=X", "--until", "1m"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("on call for primary (webhook)"), "\(outcome.stdout)")
    }

    @Test("policy check reports schedule mistakes with file and line, and on-call gaps with their times")
    func checks() throws {
        let directory = try TemporaryDirectory("tocsin-oncall-check")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
        let broken = Self.policy(receiver: 9)
            .replacingOccurrences(of: "Europe/London", with: "Mars/Olympus")
            .replacingOccurrences(of: "[alice, bob]", with: "[alice, zed]")
            .replacingOccurrences(of: "oncall: primary", with: "oncall: secondary")
        try broken.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        let outcome = try TocsinBinary.run(["policy", "check", directory.path("policies")])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("all.yaml:6:"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("Mars/Olympus"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("unknown schedule \"secondary\""), "\(outcome.stdout)")

        let gaps = Self.policy(receiver: 9).replacingOccurrences(
            of: "start: 2026-01-05", with: "start: 2026-01-05\n        restrictions:\n          - {days: [mon], from: \"09:00\", until: \"10:00\"}")
        try gaps.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        let gapped = try TocsinBinary.run(["policy", "check", directory.path("policies"), "--days", "8"])
        #expect(gapped.status == 1)
        #expect(gapped.stdout.contains("step 1 (after 0s) reaches nobody from "), "\(gapped.stdout)")
        #expect(gapped.stdout.contains("nobody is on call for primary"), "\(gapped.stdout)")
    }
}
