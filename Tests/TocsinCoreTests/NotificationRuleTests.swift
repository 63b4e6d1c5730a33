import Foundation
import Testing
import TocsinCore

/// Notification rules, the text a phone gets, and phone numbers.
@Suite("Notification rules and texts")
struct NotificationRuleTests {
    static let mail = Contact.email("alice@example.com")
    static let hook = Contact.webhook("https://hooks.example.com/alice")
    static let text = Contact.sms("+441632960001")
    static let call = Contact.voice("+441632960001")
    static let contacts = [mail, hook, text, call]

    @Test("without rules, every contact at once but a call")
    func noRules() {
        let waves = NotificationRule.waves(contacts: Self.contacts, rules: [], urgent: true)
        #expect(waves == [NotificationRule.Wave(rule: 0, delay: 0, contacts: [Self.mail, Self.hook, Self.text])])
    }

    @Test("rules make waves of their methods; a rule naming nothing the person has makes none")
    func rules() {
        let rules = [
            NotificationRule(after: 0, via: [.webhook, .email]), NotificationRule(after: 120, via: [.sms]),
            NotificationRule(after: 300, via: [.voice]),
        ]
        let waves = NotificationRule.waves(contacts: Self.contacts, rules: rules, urgent: true)
        #expect(waves.map(\.rule) == [0, 1, 2])
        #expect(waves.map(\.delay) == [0, 120, 300])
        #expect(waves.map(\.contacts) == [[Self.mail, Self.hook], [Self.text], [Self.call]])
        // Without a phone, the text and call rules reach nobody.
        let mailOnly = NotificationRule.waves(contacts: [Self.mail], rules: rules, urgent: true)
        #expect(mailOnly == [NotificationRule.Wave(rule: 0, delay: 0, contacts: [Self.mail])])
    }

    @Test("an informational step uses only the first rule")
    func informational() {
        let rules = [NotificationRule(after: 0, via: [.email]), NotificationRule(after: 60, via: [.voice])]
        #expect(NotificationRule.waves(contacts: Self.contacts, rules: rules, urgent: false).map(\.contacts) == [[Self.mail]])
    }

    @Test("a page's text fits one SMS, names the incident and how to answer")
    func pageText() {
        let text = PhoneText.sms(.triggered, incidentID: 42, severity: "critical", title: "Disk almost full on db1")
        #expect(text == "Tocsin #42 CRITICAL Disk almost full on db1. Reply 42A to ack, 42R to resolve")
        let long = PhoneText.sms(.escalated, incidentID: 42, severity: "critical", title: String(repeating: "disk full ", count: 40))
        #expect(long.count <= PhoneText.singleMessage && long.count > 150 && long.hasSuffix("... Reply 42A to ack, 42R to resolve"), "\(long)")
        #expect(PhoneText.sms(.acknowledged, incidentID: 7, severity: "warning", title: "Disk\nfull", actor: "bob")
            == "Tocsin #7 acknowledged by bob: Disk full. Reply 7R to resolve")
    }

    @Test("phone numbers are E.164", arguments: [
        ("+441632960001", true), ("+15005550006", true), ("441632960001", false), ("+0441632960001", false),
        ("+44 1632 960001", false), ("+1234567890123456", false), ("+1", false), ("", false),
    ])
    func e164(_ number: String, valid: Bool) {
        #expect(PhoneNumber.isE164(number) == valid)
    }

    @Test("a snapshot keeps the rules of its person targets")
    func snapshot() {
        let alice = Person(name: "alice", email: "alice@example.com", phone: "+441632960001", notify: [NotificationRule(after: 120, via: [.sms])])
        let policy = EscalationPolicy(name: "p", steps: [.init(after: 0, notify: [.person("alice"), .email("ops@example.com")])])
        let snapshot = PolicySnapshot(policy: policy, configuration: TocsinConfiguration(people: [alice], policies: [policy]))
        #expect(snapshot.rules == ["person:alice": alice.notify])
        #expect(snapshot.contacts["person:alice"] == [.email("alice@example.com"), .sms("+441632960001"), .voice("+441632960001")])
    }
}

/// Replies to a page's text.
@Suite("Replies to texts")
struct PhoneReplyTests {
    @Test("42A, 42R, ack 42, resolve 42, in any case, with a # or spaces", arguments: [
        ("42A", PhoneReply(incidentID: 42, action: .acknowledge)), ("42r", PhoneReply(incidentID: 42, action: .resolve)),
        ("ack 42", PhoneReply(incidentID: 42, action: .acknowledge)), ("Resolve #7", PhoneReply(incidentID: 7, action: .resolve)),
        ("  acknowledge 3 ", PhoneReply(incidentID: 3, action: .acknowledge)), ("42 a", PhoneReply(incidentID: 42, action: .acknowledge)),
    ])
    func replies(_ text: String, expected: PhoneReply) {
        #expect(PhoneReply(text) == expected)
    }

    @Test("anything else is no reply", arguments: ["", "42", "A42", "42X", "ack", "ack forty-two", "0A", "-1A", "yes please ack 42"])
    func notReplies(_ text: String) {
        #expect(PhoneReply(text) == nil)
    }
}
