import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// `tocsin drill run --live` against a real `tocsin serve` kept alive by a supervisor loop (as
/// systemd would), with a restart mid-escalation; the policy's real webhook must stay silent.
@Suite("tocsin drill run --live, end to end", .serialized)
struct LiveDrillEndToEndTests {
    static let policy = """
        people:
          - {name: alice, email: alice@example.com, webhook: "http://127.0.0.1:RECEIVER/alice"}
          - {name: bob, webhook: "http://127.0.0.1:RECEIVER/bob"}
          - {name: carol, webhook: "http://127.0.0.1:RECEIVER/carol"}
        routes:
          - {matchers: ['severity="critical"'], policy: fast}
          - policy: fast
        policies:
          - name: fast
            steps:
              - {after: 0s, notify: [person: alice]}
              - {after: 4s, notify: [person: bob]}
              - {after: 9s, notify: [person: carol]}
            ack_timeout: 1h
        """

    static let drill = """
        name: a restart mid-escalation loses nothing
        duration: 9s
        alerts:
          - labels: {alertname: LiveDrill, severity: critical, instance: "db1:9100"}
            annotations: {summary: Live drill on db1}
        actions:
          - {at: 1s, restart: tocsin}
          - {at: 6s, ack: bob}
          - {at: 7s, clear: true}
        expect:
          - {notified: alice, event: triggered, within: 2s, count: 1}
          - {notified: bob, event: escalated, not_before: 4s, within: 6s, count: 1}
          - {not_paged: carol, after: 0s}
          - {notified: bob, event: acknowledged, not_before: 6s, within: 8s}
          - resolved_notice_to_everyone_paged
        """

    /// A policy directory, a database with a user, a real webhook receiver for the policy's
    /// people, and `tocsin serve` under a loop that restarts it whenever it dies.
    final class World {
        let directory: TemporaryDirectory
        let receiver: PeerProcess
        let server: SupervisedServer
        let token: String
        var url: String { server.url }

        init() throws {
            directory = try TemporaryDirectory("tocsin-live-drill")
            receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("real-receiver.log"))
            try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
            try LiveDrillEndToEndTests.policy.replacingOccurrences(of: "RECEIVER", with: "\(receiver.port)")
                .write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
            try LiveDrillEndToEndTests.drill.write(toFile: directory.path("drill.yaml"), atomically: true, encoding: .utf8)
            let db = directory.path("tocsin.sqlite")
            token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db, "--create"])
                .stdout.split(separator: "\n").last.map(String.init) ?? ""
            server = try SupervisedServer(directory: directory, arguments: ["--db", db, "--config", directory.path("policies")])
        }

        func serveLog() -> String { server.log() }

        func cli(_ arguments: [String]) throws -> TocsinBinary.Outcome {
            try TocsinBinary.run(arguments, environment: ["TOCSIN_URL": url, "TOCSIN_TOKEN": token])
        }

        func tearDown() {
            server.stop()
            receiver.stop()
            directory.remove()
        }
    }

    @Test("a live drill with a SIGKILL restart mid-escalation passes; pages reach only the capture receiver")
    func restartMidEscalation() throws {
        let world = try World()
        defer { world.tearDown() }
        let outcome = try world.cli([
            "drill", "run", "--live", world.directory.path("drill.yaml"),
            "--restart-command", world.server.killCommand,
            "--report", world.directory.path("report.json"),
        ])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)\n--- serve.log\n\(world.serveLog())")
        #expect(outcome.stdout.contains("PASSED (5 of 5 met)"), "\(outcome.stdout)")
        #expect(world.server.starts == 2, "the server was restarted once")

        // The report: alice by webhook and by email (the medium survives the redirection).
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: world.directory.url.appendingPathComponent("report.json")))
                as? [[String: Any]])
        let deliveries = report.first?["deliveries"] as? [[String: Any]] ?? []
        let alice = deliveries.filter { $0["target"] as? String == "person:alice" && $0["event"] as? String == "triggered" }
        #expect(Set(alice.compactMap { $0["medium"] as? String }) == ["email", "webhook"])
        let runID = try #require(report.first?["run_id"] as? String)
        let started = report.first?["policies"] as? [[String: Any]] ?? []
        #expect(started.map { $0["policy"] as? String } == ["fast"] && started.first?["started_by"] as? String == "LiveDrill on db1:9100",
                "\(started)")
        #expect(outcome.stdout.contains("policy fast started at +0s on incident #1, by LiveDrill on db1:9100"), "\(outcome.stdout)")

        // Nothing reached the policy's real webhook; the drill incident is marked, resolved, its run finished.
        #expect(world.receiver.records().isEmpty, "real targets were paged: \(world.receiver.records())")
        let listed = try world.cli(["incidents", "--state", "all"])
        #expect(listed.stdout.contains("[drill \(runID)]"), "\(listed.stdout)")
        let incidents = try world.cli(["incidents", "--state", "all", "--json"])
        let page = try JSONSerialization.jsonObject(with: Data(incidents.stdout.utf8)) as? [String: Any]
        let first = (page?["incidents"] as? [[String: Any]])?.first
        #expect(first?["drill_run"] as? String == runID && first?["state"] as? String == "resolved")
        let runs = try HTTPTransfer.perform(HTTPTransferRequest(
            method: "GET", url: world.url + "/api/v1/drills", headers: [("Authorization", "Bearer \(world.token)")]))
        #expect(String(decoding: runs.body, as: UTF8.self).contains("\"finished_at\":\""))
    }

    @Test("a drill that restarts Tocsin without --restart-command is refused before anything is sent")
    func restartNeedsCommand() throws {
        let world = try World()
        defer { world.tearDown() }
        let outcome = try world.cli(["drill", "run", "--live", world.directory.path("drill.yaml")])
        #expect(outcome.status == 7)
        #expect(outcome.stderr.contains("pass --restart-command"), "\(outcome.stderr)")
        let listed = try world.cli(["incidents", "--state", "all", "--json"])
        let page = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        #expect((page?["incidents"] as? [Any])?.isEmpty == true, "\(listed.stdout)")
    }

    @Test("a refused token exits 4, as every command does; an unreachable server exits 3")
    func refusedTokenExitCode() throws {
        let world = try World()
        defer { world.tearDown() }
        try """
            name: quick
            duration: 1s
            alerts:
              - labels: {alertname: LiveDrill, severity: critical}
            expect:
              - {notified: alice, within: 1s}
            """.write(toFile: world.directory.path("quick.yaml"), atomically: true, encoding: .utf8)
        let responder = try TocsinBinary.run([
            "users", "add", "bob", "--email", "bob@example.com", "--scopes", "read,respond", "--db", world.directory.path("tocsin.sqlite"),
        ])
        let bobToken = try #require(responder.stdout.split(separator: "\n").last.map(String.init))
        let drill = ["drill", "run", "--live", world.directory.path("quick.yaml")]
        let forbidden = try TocsinBinary.run(drill, environment: ["TOCSIN_URL": world.url, "TOCSIN_TOKEN": bobToken])
        #expect(forbidden.status == 4, "\(forbidden.stdout)\(forbidden.stderr)")
        #expect(forbidden.stderr.contains("403"), "\(forbidden.stderr)")
        let unknown = try TocsinBinary.run(drill, environment: ["TOCSIN_URL": world.url, "TOCSIN_TOKEN": "tcn_unknown"])
        #expect(unknown.status == 4, "\(unknown.stderr)")
        let unreachable = try TocsinBinary.run(drill, environment: ["TOCSIN_URL": "http://127.0.0.1:1", "TOCSIN_TOKEN": bobToken])
        #expect(unreachable.status == 3, "\(unreachable.stderr)")
    }

    @Test("a live drill with a maintenance window at +0s, a note and escalating by hand: held until the window closes, then the chain, bob early")
    func byHandActions() throws {
        let world = try World()
        defer { world.tearDown() }
        try """
            name: held, then escalated by hand
            duration: 6s
            alerts:
              - labels: {alertname: LiveDrill, severity: critical, instance: "db9:9100"}
            actions:
              - {at: 0s, maintenance: {matchers: ['instance="db9:9100"'], until: 2s}}
              - {at: 3s, note: "bob, have a look"}
              - {at: 3s, escalate: true}
            expect:
              - {notified: alice, event: triggered, not_before: 2s, within: 3s, count: 1}
              - {notified: bob, event: escalated, not_before: 3s, within: 4s, count: 1}
              - {not_paged: carol, after: 0s}
            """.write(toFile: world.directory.path("by-hand.yaml"), atomically: true, encoding: .utf8)
        let outcome = try world.cli(["drill", "run", "--live", world.directory.path("by-hand.yaml")])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("PASSED (3 of 3 met)"), "\(outcome.stdout)")
        // The window was scoped to the drill's own alerts, and is closed.
        let windows = try world.cli(["maintenance", "list", "--all", "--json"])
        #expect(windows.stdout.contains("tocsin_drill="), "\(windows.stdout)")
        #expect(world.receiver.records().isEmpty, "the policy's real webhooks stay silent")
    }
}
