import Foundation
import Testing
import TocsinCore
import TocsinServer
import TocsinTestSupport

/// `phone:` and `notify:` of people in the policy directory, read and checked with file and line.
@Suite("Notification rules in the policy directory")
struct NotificationRulePolicyTests {
    func read(_ people: String) throws -> (PolicyDirectory.Loaded, TemporaryDirectory) {
        let directory = try TemporaryDirectory("tocsin-rules")
        try people.write(toFile: directory.path("people.yaml"), atomically: true, encoding: .utf8)
        try "routes:\n  - policy: p\npolicies:\n  - name: p\n    steps:\n      - {after: 0m, notify: [person: alice]}\n"
            .write(toFile: directory.path("policies.yaml"), atomically: true, encoding: .utf8)
        return (PolicyDirectory.read(directory.url.path), directory)
    }

    @Test("a phone and rules are read, in order of their delay")
    func rulesRead() throws {
        let (loaded, directory) = try read("""
            people:
              - name: alice
                email: alice@example.com
                phone: "+441632960001"
                webhook: https://hooks.example.com/alice
                notify:
                  - {after: 5m, via: voice}
                  - {after: 0m, via: [webhook, email]}
                  - {after: 2m, via: sms}
            """)
        defer { directory.remove() }
        #expect(loaded.problems.isEmpty, "\(loaded.problems)")
        let alice = try #require(loaded.configuration.person("alice"))
        #expect(alice.phone == "+441632960001")
        #expect(alice.notify == [
            NotificationRule(after: 0, via: [.webhook, .email]), NotificationRule(after: 120, via: [.sms]),
            NotificationRule(after: 300, via: [.voice]),
        ])
    }

    @Test("a number that is not E.164, a rule by a method the person lacks, and an unknown method are named with their line")
    func problems() throws {
        let (loaded, directory) = try read("""
            people:
              - name: alice
                email: alice@example.com
                phone: "01632 960001"
                notify:
                  - {after: 0m, via: email}
                  - {after: 2m, via: sms}
                  - {after: 5m, via: pigeon}
              - name: bob
                email: bob@example.com
                notify:
                  - {after: 0m, via: webhook}
                  - {via: email}
            """)
        defer { directory.remove() }
        let problems = loaded.problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("people.yaml:4:") && $0.contains("must be an E.164 number") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("people.yaml:7:") && $0.contains("alice has no phone: a rule cannot reach them by sms") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("people.yaml:8:") && $0.contains("via must name webhook, email, sms or voice, got \"pigeon\"") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("people.yaml:12:") && $0.contains("bob has no webhook") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("people.yaml:13:") && $0.contains("needs \"after\"") }, "\(problems)")
    }
}
