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
          - resolved_notice_to_everyone_paged
        """

    /// A policy directory, a database with a user, a real webhook receiver for the policy's
    /// people, and `tocsin serve` under a shell loop that restarts it whenever it dies.
    final class World {
        let directory: TemporaryDirectory
        let receiver: PeerProcess
        let supervisor: BackgroundProcess
        let url: String
        let token: String

        init() throws {
            directory = try TemporaryDirectory("tocsin-live-drill")
            receiver = try PeerProcess(script: "webhook_receiver.py", arguments: [], logPath: directory.path("real-receiver.log"))
            try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
            try LiveDrillEndToEndTests.policy.replacingOccurrences(of: "RECEIVER", with: "\(receiver.port)")
                .write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
            try LiveDrillEndToEndTests.drill.write(toFile: directory.path("drill.yaml"), atomically: true, encoding: .utf8)
            let db = directory.path("tocsin.sqlite")
            token = try TocsinBinary.run(["users", "add", "admin", "--email", "admin@example.com", "--scopes", "admin", "--db", db])
                .stdout.split(separator: "\n").last.map(String.init) ?? ""
            let port = try freeLoopbackPort()
            url = "http://127.0.0.1:\(port)"
            // The server runs in the foreground of the loop (a blocking wait works even where the
            // loop's parent left SIGCHLD blocked) and writes its own PID before it execs.
            let loop = """
                while [ ! -e "$DIR/stop" ]; do
                  sh -c 'echo $$ > "$DIR/serve.pid"; exec "$TOCSIN" serve --host 127.0.0.1 --port \(port) --db "$DIR/tocsin.sqlite" --config "$DIR/policies"' >>"$DIR/serve.log" 2>&1
                  sleep 0.1
                done
                """
            supervisor = try BackgroundProcess(
                executable: "/bin/sh", arguments: ["-c", loop], logPath: directory.path("supervisor.log"),
                environment: ["DIR": directory.url.path, "TOCSIN": TocsinBinary.path])
            #expect(eventually(within: 15) { ready() }, "tocsin serve did not come up: \(serveLog())")
        }

        func ready() -> Bool {
            (try? HTTPTransfer.perform(HTTPTransferRequest(method: "GET", url: url + "/readyz", headers: [])))?.status == 200
        }

        func serveLog() -> String {
            (try? String(contentsOfFile: directory.path("serve.log"), encoding: .utf8)) ?? ""
        }

        func cli(_ arguments: [String]) throws -> TocsinBinary.Outcome {
            try TocsinBinary.run(arguments, environment: ["TOCSIN_URL": url, "TOCSIN_TOKEN": token])
        }

        func tearDown() {
            FileManager.default.createFile(atPath: directory.path("stop"), contents: nil)
            if let pid = (try? String(contentsOfFile: directory.path("serve.pid"), encoding: .utf8))
                .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            {
                kill(pid, SIGKILL)
            }
            supervisor.stop()
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
            "--restart-command", "kill -9 $(cat '\(world.directory.path("serve.pid"))')",
            "--report", world.directory.path("report.json"),
        ])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)\n--- serve.log\n\(world.serveLog())")
        #expect(outcome.stdout.contains("PASSED (4 of 4 met)"), "\(outcome.stdout)")
        #expect(world.serveLog().components(separatedBy: "\"msg\":\"listening\"").count - 1 == 2, "the server was restarted once")

        // The report: alice by webhook and by email (the medium survives the redirection).
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: world.directory.url.appendingPathComponent("report.json")))
                as? [[String: Any]])
        let deliveries = report.first?["deliveries"] as? [[String: Any]] ?? []
        let alice = deliveries.filter { $0["target"] as? String == "person:alice" && $0["event"] as? String == "triggered" }
        #expect(Set(alice.compactMap { $0["medium"] as? String }) == ["email", "webhook"])
        let runID = try #require(report.first?["run_id"] as? String)

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
}
