import Testing
import TocsinCore

@Suite("Policy configuration")
struct PolicyConfigurationTests {
    @Test("durations", arguments: [("0", 0.0), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("24h", 86_400), ("2d", 172_800), ("1w", 604_800)])
    func durations(text: String, seconds: Double) {
        #expect(PolicyDuration.parse(text) == seconds)
    }

    @Test("bad durations", arguments: ["", "5", "m", "5x", "-5m", "five minutes"])
    func badDurations(text: String) {
        #expect(PolicyDuration.parse(text) == nil)
    }

    @Test("durations print the way people write them")
    func formatting() {
        #expect(PolicyDuration.format(0) == "0s")
        #expect(PolicyDuration.format(5400) == "1h30m")
        #expect(PolicyDuration.format(90_061) == "1d1h1m1s")
    }

    @Test("matchers follow Alertmanager's syntax and anchored regular expressions")
    func matchers() throws {
        let labels = ["severity": "critical", "team": "dba"]
        #expect(try Matcher(parsing: #"severity="critical""#).matches(labels))
        #expect(try Matcher(parsing: "severity=critical").matches(labels))
        #expect(try !Matcher(parsing: #"severity!="critical""#).matches(labels))
        #expect(try Matcher(parsing: #"team=~"db.|web""#).matches(labels))
        #expect(try !Matcher(parsing: #"team=~"d""#).matches(labels), "regexes are anchored")
        #expect(try Matcher(parsing: #"team!~"web.*""#).matches(labels))
        #expect(try Matcher(parsing: #"missing="""#).matches(labels), "a missing label matches as empty")
        #expect(throws: Matcher.ParseError.self) { try Matcher(parsing: "severity") }
        #expect(throws: Matcher.ParseError.self) { try Matcher(parsing: #"team=~"(""#) }
        #expect(throws: Matcher.ParseError.self) { try Matcher(parsing: #"my-label="x""#) }
    }

    @Test("matchers are read with Alertmanager's grammar: spaces, quoted names and Go escapes")
    func matcherGrammar() throws {
        let spaced = try Matcher(parsing: #"  severity =~ "crit.*"  "#)
        #expect(spaced.name == "severity" && spaced.operation == .regexMatch && spaced.value == "crit.*")
        #expect(try Matcher(parsing: #""team"="db""#).name == "team")
        #expect(try Matcher(parsing: #"summary="say \"hi\"\n\u00e9""#).value == "say \"hi\"\né")
        #expect(try Matcher(parsing: "instance=db1:9100").value == "db1:9100")
        // A combining mark right after the opening quote is part of the value, not of the quote.
        let accented = try Matcher(parsing: "team=\"\u{301}x\"")
        #expect(accented.value == "\u{301}x")
        #expect(try Matcher(parsing: accented.description) == accented, "reads back from what it prints")
        // An escaped quote followed by a combining mark (one Character) is still escaped when printed.
        let quoted = try Matcher(name: "a", operation: .equal, value: "x\"\u{8E3}y\\")
        #expect(try Matcher(parsing: quoted.description) == quoted)
    }

    @Test("a typo in a matcher is an error that names the character, never a matcher that cannot match", arguments: [
        (#"severity=="critical""#, 10, "unexpected \"=\""),
        (#"severity="critical"""#, 20, "after the value"),
        ("severity=", 10, #"write severity="" to match an empty value"#),
        ("severity", 9, "missing operator"),
        (#"severity = "critical"#, 12, "unterminated quoted string"),
        (#"severity=crit ical"#, 15, "after the value"),
        (#"severity='critical'"#, 10, "unexpected \"'\""),
        (#"sev erity="critical""#, 5, "expected =, !=, =~ or !~"),
        (#"a="x", b="y""#, 6, "one matcher per list entry"),
        (#"team="\q""#, 7, "unknown escape"),
        ("", 1, "empty matcher"),
    ])
    func matcherTypos(text: String, column: Int, problem: String) {
        #expect {
            try Matcher(parsing: text)
        } throws: { error in
            guard let error = error as? Matcher.ParseError else { return false }
            return error.column == column && error.problem.contains(problem)
        }
    }

    @Test("routes: first match wins unless continue; the default route catches the rest")
    func routing() throws {
        let routes = [
            Route(matchers: [try Matcher(parsing: "page=true")], policy: "audit", continue: true),
            Route(matchers: [try Matcher(parsing: "severity=critical")], policy: "critical"),
            Route(matchers: [], policy: "default"),
        ]
        #expect(Route.policies(for: ["severity": "critical", "page": "true"], in: routes) == ["audit", "critical"])
        #expect(Route.policies(for: ["severity": "critical"], in: routes) == ["critical"])
        #expect(Route.policies(for: ["severity": "info"], in: routes) == ["default"])
    }

    @Test("check finds unknown references, unreachable steps, shadowed routes and missing defaults")
    func problems() throws {
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice"), Person(name: "bob", email: "bob@example.com")],
            routes: [
                Route(matchers: [try Matcher(parsing: "severity=critical")], policy: "p"),
                Route(matchers: [try Matcher(parsing: "severity=critical"), try Matcher(parsing: "team=dba")], policy: "p"),
                Route(matchers: [try Matcher(parsing: "team=web")], policy: "missing"),
            ],
            policies: [
                EscalationPolicy(name: "p", steps: [
                    .init(after: 0, notify: [.person("alice")]),
                    .init(after: 60, notify: [.person("nobody"), .channel("nowhere")]),
                    .init(after: 120, notify: [.person("bob")]),
                ], repeat: 1, repeatAfter: 60),
            ])
        let messages = configuration.problems().map(\.message)
        #expect(messages.contains { $0.contains("person \"alice\" has no email, no webhook and no phone") })
        #expect(messages.contains { $0.contains("step 1 (after 0s) is unreachable") })
        #expect(messages.contains { $0.contains("unknown person \"nobody\"") })
        #expect(messages.contains { $0.contains("unknown channel \"nowhere\"") })
        #expect(messages.contains { $0.contains("route 2") && $0.contains("shadowed by route 1") })
        #expect(messages.contains { $0.contains("unknown policy \"missing\"") })
        #expect(messages.contains { $0.contains("no default route") })
        #expect(messages.contains { $0.contains("repeat_after (1m) must be longer") })
        #expect(!messages.contains { $0.contains("step 3") })
    }
}
