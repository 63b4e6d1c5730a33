import Foundation
import Testing
import TocsinTestSupport

@Suite("tocsin policy check and simulate, end to end")
struct PolicyCommandsEndToEndTests {
    static let shipped = Fixtures.repositoryRoot.appendingPathComponent("escalation-policies").path

    @Test("policy check passes on the shipped escalation-policies/")
    func checkShipped() throws {
        let outcome = try TocsinBinary.run(["policy", "check", Self.shipped])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("OK:") && outcome.stdout.contains("2 policies"))
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
        #expect(outcome.stdout.contains("p.yaml:7:5: policy \"p\", step 1 (after 0s) names unknown person \"bob\""))
        #expect(outcome.stderr.contains("problems in"))
    }

    @Test("policy simulate prints who is paged when, and stops at the acknowledgement")
    func simulate() throws {
        let outcome = try TocsinBinary.run([
            "policy", "simulate", "--config", Self.shipped, "--labels", "alertname=DiskFull,severity=critical",
            "--ack-at", "7m", "--ack-by", "bob", "--until", "20m",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("+0s") && $0.contains("page alice (email)") })
        #expect(lines.contains { $0.hasPrefix("+5m") && $0.contains("escalate to bob (email)") })
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
