import Foundation
import Testing
import TocsinCore
import TocsinServer
import TocsinTestSupport

@Suite("Policy directory")
struct PolicyDirectoryTests {
    static let shipped = Fixtures.repositoryRoot.appendingPathComponent("escalation-policies").path

    func write(_ files: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("tocsin-policies")
        for (name, text) in files {
            try text.write(toFile: directory.path(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test("the shipped escalation-policies/ has no problems and holds both default policies")
    func shippedDirectory() throws {
        let loaded = PolicyDirectory.read(Self.shipped)
        #expect(loaded.problems.isEmpty, "\(loaded.problems)")
        let configuration = loaded.configuration
        let critical = try #require(configuration.policy("critical-immediate"))
        #expect(critical.steps.map(\.after) == [0, 300, 900])
        #expect(critical.repeat == 2 && critical.ackTimeout == 1800)
        let warning = try #require(configuration.policy("warning-24h"))
        #expect(warning.steps.map(\.after) == [0, 43_200, 86_400])
        #expect(warning.steps.map(\.kind) == [.notify, .reminder, .page])
        #expect(Route.policies(for: ["severity": "critical"], in: configuration.routes) == ["critical-immediate"])
        #expect(Route.policies(for: ["severity": "warning"], in: configuration.routes) == ["warning-24h"])
        #expect(Route.policies(for: ["severity": "info"], in: configuration.routes) == ["warning-24h"])
        #expect(Route.policies(for: [:], in: configuration.routes) == ["warning-24h"])
        #expect(configuration.people.allSatisfy { $0.email?.hasSuffix("@example.com") == true })
    }

    @Test("a YAML syntax error is reported with file, line and column")
    func syntaxError() throws {
        let directory = try write(["routes.yaml": "routes:\n  - policy: a\n    matchers: [unclosed\n"])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems
        let first = try #require(problems.first)
        #expect(first.location?.file == "routes.yaml")
        #expect((first.location?.line ?? 0) >= 3)
        #expect(first.message.hasPrefix("YAML error"))
    }

    @Test("shape errors name the file, line and column of the offending node")
    func shapeErrors() throws {
        let directory = try write([
            "policies.yaml": """
                policies:
                  - name: p
                    steps:
                      - after: soon
                        notify: [person: alice]
                      - after: 5m
                        notify: [pager: alice]
                    ack_timout: 30m
                """,
            "people.yaml": "people:\n  - name: alice\n    email: alice@example.com\n",
            "routes.yaml": "routes:\n  - policy: p\n",
        ])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("policies.yaml:4:") && $0.contains("\"after\" must be a duration") })
        #expect(problems.contains { $0.hasPrefix("policies.yaml:7:") && $0.contains("unknown notify target \"pager\"") })
        #expect(problems.contains { $0.hasPrefix("policies.yaml:8:") && $0.contains("unknown key \"ack_timout\"") })
    }

    @Test("cross-file problems are reported with the policy's location")
    func semanticErrors() throws {
        let directory = try write([
            "all.yaml": """
                people:
                  - name: alice
                routes:
                  - policy: p
                policies:
                  - name: p
                    steps:
                      - after: 0m
                        notify: [person: alice, person: zed]
                """,
        ])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("all.yaml:8:") && $0.contains("unknown person \"zed\"") })
        #expect(problems.contains { $0.contains("is unreachable") })
        #expect(problems.contains { $0.contains("person \"alice\" has no email") })
        #expect(throws: PolicyDirectory.InvalidConfiguration.self) { try PolicyDirectory.load(directory.url.path) }
    }

    @Test("webhook secrets by environment variable: secret_env (as people.yaml's comment says) and secrets_env (as the README's example) both work")
    func secretSpellings() throws {
        setenv("TOCSIN_TEST_SECRET_ONE", "one", 1)
        setenv("TOCSIN_TEST_SECRET_TWO", "two", 1)
        setenv("TOCSIN_TEST_SECRET_OLD", "old", 1)
        let directory = try write([
            "all.yaml": """
                people:
                  - name: alice
                    webhook: https://hooks.example.com/alice
                    secret_env: TOCSIN_TEST_SECRET_ONE
                channels:
                  - name: ticketing
                    webhook: https://tickets.example.com/hook
                    secrets_env: [TOCSIN_TEST_SECRET_TWO, TOCSIN_TEST_SECRET_OLD]
                  - name: unset
                    webhook: https://tickets.example.com/other
                    secret_env: [TOCSIN_TEST_SECRET_NOT_SET]
                routes:
                  - policy: p
                policies:
                  - name: p
                    steps:
                      - {after: 0m, notify: [person: alice, channel: ticketing, channel: unset]}
                """,
        ])
        defer { directory.remove() }
        let loaded = PolicyDirectory.read(directory.url.path)
        #expect(loaded.configuration.person("alice")?.webhook.secrets == ["one"])
        #expect(loaded.configuration.channel("ticketing")?.webhook.secrets == ["two", "old"])
        #expect(loaded.problems.map(\.description) == [
            "all.yaml:11:18: environment variable TOCSIN_TEST_SECRET_NOT_SET (a webhook secret) is not set",
        ])
    }

    @Test("a matcher typo is reported with the file, line and the column of the offending character")
    func matcherTypo() throws {
        let directory = try write([
            "all.yaml": """
                people:
                  - {name: alice, email: alice@example.com}
                routes:
                  - matchers: ['severity=="critical"']
                    policy: p
                  - matchers:
                      - team = db ops
                    policy: p
                  - policy: p
                policies:
                  - name: p
                    steps:
                      - {after: 0m, notify: [person: alice]}
                """,
        ])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("all.yaml:4:26: invalid matcher \"severity==\"critical\"\" at character 10: unexpected \"=\"") },
                "\(problems)")
        #expect(problems.contains { $0.hasPrefix("all.yaml:7:19: invalid matcher \"team = db ops\" at character 11") }, "\(problems)")
    }

    @Test("steps are named by their place in the file, whatever the sort by time or a bad duration elsewhere")
    func stepNumbers() throws {
        let directory = try write([
            "all.yaml": """
                people:
                  - {name: alice, email: alice@example.com}
                routes:
                  - policy: p
                policies:
                  - name: p
                    steps:
                      - {after: 0m, notify: [person: alice]}
                      - {after: 1m, notify: [person: zed]}
                      - {after: soon, notify: [person: alice]}
                    reminders:
                      - {after: 30s, notify: [person: nobody]}
                """,
        ])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("all.yaml:9:") && $0.contains("policy \"p\", step 2 (after 1m) names unknown person \"zed\"") },
                "\(problems)")
        #expect(problems.contains { $0.hasPrefix("all.yaml:12:") && $0.contains("policy \"p\", reminder 1 (after 30s) names unknown person \"nobody\"") },
                "\(problems)")
        #expect(problems.contains { $0.hasPrefix("all.yaml:10:") && $0.contains("\"after\" must be a duration") }, "\(problems)")
    }

    @Test("webhook URLs must be http or https, named with their person or channel")
    func webhookSchemes() throws {
        let directory = try write([
            "all.yaml": """
                people:
                  - {name: alice, webhook: "file:///etc/passwd"}
                  - {name: bob, webhook: "https://hooks.example.com/bob"}
                channels:
                  - {name: chat, webhook: "gopher://chat.example.com/x"}
                  - {name: ok, webhook: "http://127.0.0.1:8080/hook"}
                routes:
                  - policy: p
                policies:
                  - name: p
                    steps:
                      - {after: 0m, notify: [person: alice, person: bob, channel: chat, channel: ok]}
                """,
        ])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("all.yaml:2:") && $0.contains(#"person "alice": webhook "file:///etc/passwd" must be an http:// or https:// URL"#) },
                "\(problems)")
        #expect(problems.contains { $0.hasPrefix("all.yaml:5:") && $0.contains(#"channel "chat": webhook "gopher://chat.example.com/x""#) }, "\(problems)")
        #expect(problems.count == 2, "\(problems)")
    }

    @Test("a missing directory is a clear problem")
    func missingDirectory() {
        let problems = PolicyDirectory.read("/nonexistent/tocsin-policies").problems
        #expect(problems.count == 1 && problems[0].message.contains("cannot read the policy directory"))
    }

    static let pageAlice = """
        people:
          - {name: alice, email: alice@example.com}
        policies:
          - name: page
            steps:
              - {after: 0m, notify: [person: alice]}
        """

    @Test("heartbeats are read with their interval, grace, labels and summary")
    func heartbeats() throws {
        let directory = try write([
            "all.yaml": Self.pageAlice + """

                routes:
                  - policy: page
                heartbeats:
                  - name: prometheus-eu1
                    interval: 1m
                    grace: 2m
                    labels: {severity: critical, team: sre}
                    summary: "Prometheus eu1 stopped sending its Watchdog"
                  - name: backup
                    interval: 24h
                """,
        ])
        defer { directory.remove() }
        let loaded = PolicyDirectory.read(directory.url.path)
        #expect(loaded.problems.isEmpty, "\(loaded.problems)")
        let heartbeats = loaded.configuration.heartbeats
        #expect(heartbeats.map(\.name) == ["prometheus-eu1", "backup"])
        #expect(heartbeats.first?.interval == 60 && heartbeats.first?.grace == 120)
        #expect(heartbeats.first?.labels == ["severity": "critical", "team": "sre"])
        #expect(heartbeats.first?.summary == "Prometheus eu1 stopped sending its Watchdog")
        #expect(heartbeats.last?.grace == 0 && heartbeats.last?.summary == nil)
    }

    @Test("a heartbeat's problems are named with its file and line: no interval, bad name, bad label, a duplicate, no route")
    func heartbeatProblems() throws {
        let directory = try write([
            "all.yaml": Self.pageAlice + """

                routes:
                  - {matchers: ['severity="critical"'], policy: page}
                heartbeats:
                  - name: no-interval
                  - name: "bad/name"
                    interval: 1m
                    labels: {severity: critical}
                  - name: bad-label
                    interval: 1m
                    labels: {severity: critical, 1team: sre}
                  - name: unrouted
                    interval: 1m
                  - name: twice
                    interval: 1m
                    labels: {severity: critical}
                  - name: twice
                    interval: 0s
                    labels: {severity: critical}
                    intervall: 1m
                """,
        ])
        defer { directory.remove() }
        let problems = PolicyDirectory.read(directory.url.path).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("all.yaml:10:") && $0.contains("heartbeat \"no-interval\" needs \"interval\"") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("all.yaml:11:") && $0.contains("URL path segment") })
        #expect(problems.contains { $0.contains("heartbeat \"bad-label\": label \"1team\" is not a valid label name") })
        #expect(problems.contains { $0.contains("heartbeat \"unrouted\": its HeartbeatMissed alert") && $0.contains("routes to no policy") })
        #expect(problems.contains { $0.contains("heartbeat \"twice\" is defined more than once") })
        #expect(problems.contains { $0.contains("heartbeat \"twice\": interval must be more than 0s") })
        #expect(problems.contains { $0.contains("unknown key \"intervall\" in heartbeat \"twice\"") })
    }
}
