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
        #expect(problems.contains { $0.hasPrefix("all.yaml:6:") && $0.contains("unknown person \"zed\"") })
        #expect(problems.contains { $0.contains("is unreachable") })
        #expect(problems.contains { $0.contains("person \"alice\" has no email") })
        #expect(throws: PolicyDirectory.InvalidConfiguration.self) { try PolicyDirectory.load(directory.url.path) }
    }

    @Test("a missing directory is a clear problem")
    func missingDirectory() {
        let problems = PolicyDirectory.read("/nonexistent/tocsin-policies").problems
        #expect(problems.count == 1 && problems[0].message.contains("cannot read the policy directory"))
    }
}
