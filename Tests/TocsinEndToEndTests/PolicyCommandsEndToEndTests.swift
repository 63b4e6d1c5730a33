import Foundation
import Testing
import TocsinTestSupport

@Suite("tocsin policy check and simulate, end to end")
struct PolicyCommandsEndToEndTests {
    static let shipped = Fixtures.repositoryRoot.appendingPathComponent("escalation-policies").path
    /// Friday 27 November 2026, 17:20 UTC: alice is on call for the shipped `primary` schedule
    /// (the instant virtual drills start at).
    static let alicesWeek = "2026-11-27T17:20:00Z"

    @Test("policy check passes on the shipped escalation-policies/, named with --config like every command")
    func checkShipped() throws {
        let outcome = try TocsinBinary.run(["policy", "check", "--config", Self.shipped])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("OK:") && outcome.stdout.contains("2 policies"))
        #expect(outcome.stderr.isEmpty)
    }

    @Test("the directory as policy check's old positional argument still works, with a deprecation note")
    func checkPositionalDeprecated() throws {
        let outcome = try TocsinBinary.run(["policy", "check", Self.shipped])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("OK:"))
        #expect(outcome.stderr.contains("deprecated; use `tocsin policy check --config \(Self.shipped)`"))
        for command in [["policy", "check"], ["policy", "simulate"], ["serve"], ["drill", "run"]] {
            let help = try TocsinBinary.run(command + ["--help"])
            #expect(help.stdout.contains("--config <dir>"), "\(command) takes the policy directory as --config")
        }
    }

    @Test("policy check prints one line per problem with file, line and column, and exits 1")
    func checkBroken() throws {
        let directory = try TemporaryDirectory("tocsin-policy-check")
        defer { directory.remove() }
        try """
            people:
              - name: alice
                email: alice@example.com
            routes:
              - policy: p
            policies:
              - name: p
                steps:
                  - after: 0m
                    notify: [person: bob]
            """.write(toFile: directory.path("p.yaml"), atomically: true, encoding: .utf8)
        let outcome = try TocsinBinary.run(["policy", "check", directory.url.path])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("p.yaml:9:9: policy \"p\", step 1 (after 0s) names unknown person \"bob\""))
        #expect(outcome.stderr.contains("problems in"))
    }

    @Test("policy simulate prints who is paged when, and stops at the acknowledgement")
    func simulate() throws {
        let outcome = try TocsinBinary.run([
            "policy", "simulate", "--config", Self.shipped, "--labels", "alertname=DiskFull,severity=critical",
            "--ack-at", "7m", "--ack-by", "bob", "--until", "20m", "--at", Self.alicesWeek,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("+0s") && $0.contains("page alice, on call for primary (email)") }, "\(outcome.stdout)")
        #expect(lines.contains { $0.hasPrefix("+5m") && $0.contains("escalate to bob, next on call for primary (email)") })
        #expect(lines.contains { $0.hasPrefix("+7m") && $0.contains("acknowledged by bob") })
        #expect(!lines.contains { $0.contains("carol") }, "carol's step at 15m never runs after the ack")

        let json = try TocsinBinary.run([
            "policy", "simulate", "--config", Self.shipped, "--labels", "severity=warning", "--json", "--until", "25h",
        ])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let offsets = (report?["timeline"] as? [[String: Any]])?.filter { $0["kind"] as? String == "notified" }
            .compactMap { $0["offset_seconds"] as? Double }
        #expect(offsets == [0, 43_200, 86_400])
    }

    @Test("a person's notification rules show in policy simulate at their due times, and a drill expects them via sms")
    func notificationRules() throws {
        let directory = try TemporaryDirectory("tocsin-rules")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
        try """
            people:
              - name: alice
                email: alice@example.com
                phone: "+441632960001"
                notify:
                  - {after: 0m, via: email}
                  - {after: 2m, via: sms}
                  - {after: 5m, via: voice}
            routes:
              - policy: p
            policies:
              - name: p
                steps: [{after: 0m, notify: [person: alice]}]
            """.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        let outcome = try TocsinBinary.run([
            "policy", "simulate", "--config", directory.path("policies"), "--labels", "alertname=DiskFull,severity=critical",
            "--ack-at", "3m", "--until", "10m",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("+0s  page alice (email, sms after 2m, voice after 5m) — p step 1/1"), "\(outcome.stdout)")
        #expect(lines.contains("+2m  triggered by sms to person:alice — sent"), "\(outcome.stdout)")
        #expect(lines.contains("+5m  triggered by voice to person:alice — cancelled"), "\(outcome.stdout)")

        try """
            name: a text at 2m, no call after the acknowledgement
            duration: 10m
            alerts:
              - labels: {alertname: DiskFull, severity: critical}
            actions:
              - {at: 3m, ack: alice}
            expect:
              - {notified: alice, via: email, event: triggered, within: 1s}
              - {notified: alice, via: sms, event: triggered, not_before: 2m, within: 2m1s}
              - {notified: alice, via: voice, count: 0}
            """.write(toFile: directory.path("rules.yaml"), atomically: true, encoding: .utf8)
        let drill = try TocsinBinary.run(["drill", "run", directory.path("rules.yaml"), "--config", directory.path("policies")])
        #expect(drill.status == 0, "\(drill.stdout)\(drill.stderr)")
    }

    @Test("the shipped example is coherent: the person tocsin oncall names is the person a critical alert pages")
    func shippedScheduleIsPaged() throws {
        let directory = try TemporaryDirectory("tocsin-shipped")
        defer { directory.remove() }
        let db = directory.path("tocsin.sqlite")
        let added = try TocsinBinary.run(["users", "add", "alice", "--email", "alice@example.com", "--db", db, "--create"])
        let token = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        let server = try ServerProcess(arguments: ["--db", db, "--config", Self.shipped], logPath: directory.path("serve.log"))
        defer { server.stop(signal: SIGKILL) }
        // alice's week, then bob's on a Saturday night and (office hours) a Tuesday morning, then carol's.
        for (at, person) in [("2026-11-27T17:20:00Z", "alice"), ("2026-12-05T03:00:00Z", "bob"), ("2026-12-08T10:00:00Z", "bob"),
                             ("2026-12-12T03:00:00Z", "carol"), ("2026-12-15T10:00:00Z", "bob")] {
            let oncall = try TocsinBinary.run(["oncall", "--at", at], environment: ["TOCSIN_URL": server.url, "TOCSIN_TOKEN": token])
            #expect(oncall.stdout.split(separator: "\n").dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true)
                .dropFirst().first == Substring(person), "\(at): \(oncall.stdout)\(oncall.stderr)")
            let simulated = try TocsinBinary.run([
                "policy", "simulate", "--config", Self.shipped, "--labels", "severity=critical", "--until", "1m", "--at", at,
            ])
            #expect(simulated.stdout.contains("+0s  page \(person), on call for primary"), "\(at): \(simulated.stdout)")
        }
    }

    @Test("policy simulate of a mixed group: each alert is routed by its own labels, and the report says which started which policy")
    func simulateMixedGroup() throws {
        let outcome = try TocsinBinary.run([
            "policy", "simulate", "--config", Self.shipped, "--until", "10m", "--at", Self.alicesWeek,
            "--labels", "alertname=DiskFull,severity=critical,instance=db1:9100",
            "--labels", "alertname=DiskFull,severity=warning,instance=db2:9100",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix(
            "Policies: critical-immediate (started by DiskFull on db1:9100), warning-24h (started by DiskFull on db2:9100)"),
            "\(outcome.stdout)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("+0s") && $0.contains("page alice, on call for primary (email)") }, "\(outcome.stdout)")
        #expect(lines.contains { $0.hasPrefix("+0s") && $0.contains("notify channel team-chat") }, "\(outcome.stdout)")

        let json = try TocsinBinary.run([
            "policy", "simulate", "--config", Self.shipped, "--json", "--until", "1m",
            "--labels", "alertname=DiskFull,severity=warning", "--labels", "alertname=DiskFull,severity=critical",
        ])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let started = (report?["started"] as? [[String: Any]])?.compactMap { $0["policy"] as? String }
        #expect(Set(started ?? []) == ["critical-immediate", "warning-24h"])
    }

    @Test("serve refuses to start on a policy directory with problems, and says why")
    func serveRefusesBadPolicies() throws {
        let directory = try TemporaryDirectory("tocsin-bad-policies")
        defer { directory.remove() }
        try "routes: [".write(toFile: directory.path("routes.yaml"), atomically: true, encoding: .utf8)
        let outcome = try TocsinBinary.run(["serve", "--port", "0", "--config", directory.url.path, "--db", directory.path("db.sqlite")])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("invalid policy directory") && outcome.stderr.contains("routes.yaml:"))
    }
}
