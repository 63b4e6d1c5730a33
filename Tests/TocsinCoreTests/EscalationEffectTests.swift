import Foundation
import Testing
import TocsinCore

/// The engine's decision after an ingest or a command: start, restart, start the joined
/// policies, finish, or leave the escalations alone.
@Suite("Escalation effect of an incident's change")
struct EscalationEffectTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var before: IncidentState?
        var after: IncidentState
        var startsPolicies: Bool
        var effect: EscalationEffect

        var testDescription: String {
            "\(before?.rawValue ?? "new") → \(after.rawValue)\(startsPolicies ? " with a new policy" : ""): \(effect)"
        }
    }

    @Test("after an ingest", arguments: [
        Case(before: nil, after: .triggered, startsPolicies: true, effect: .start),
        Case(before: nil, after: .resolved, startsPolicies: false, effect: .start),
        Case(before: .acknowledged, after: .triggered, startsPolicies: false, effect: .restart),
        Case(before: .acknowledged, after: .triggered, startsPolicies: true, effect: .restart),
        Case(before: .triggered, after: .resolved, startsPolicies: false, effect: .finish(.resolved)),
        Case(before: .acknowledged, after: .resolved, startsPolicies: false, effect: .finish(.resolved)),
        Case(before: .triggered, after: .triggered, startsPolicies: true, effect: .startJoined),
        Case(before: .triggered, after: .triggered, startsPolicies: false, effect: .none),
        Case(before: .acknowledged, after: .acknowledged, startsPolicies: false, effect: .none),
        Case(before: .resolved, after: .resolved, startsPolicies: false, effect: .none),
    ])
    func afterIngest(_ example: Case) {
        #expect(EscalationEffect.afterIngest(before: example.before, after: example.after, startsPolicies: example.startsPolicies) == example.effect)
    }

    @Test("after a person's command", arguments: [
        (IncidentState.acknowledged, EscalationEffect.finish(.acknowledged)),
        (.resolved, .finish(.resolved)),
        (.triggered, .none),
    ])
    func afterCommand(_ state: IncidentState, _ effect: EscalationEffect) {
        #expect(EscalationEffect.afterCommand(movedTo: state) == effect)
    }

    @Test("an expired acknowledgement triggers the incident again and forgets who acknowledged")
    func acknowledgementExpired() {
        let incident = Incident(
            id: 7, title: "t", severity: "critical", state: .acknowledged, source: "alertmanager", receiver: "r", groupKey: "k",
            groupLabels: [:], externalURL: "", createdAt: .init(timeIntervalSince1970: 0), lastSeenAt: .init(timeIntervalSince1970: 0),
            acknowledgedAt: .init(timeIntervalSince1970: 60), acknowledgedBy: "alice", alertCount: 1, firingCount: 1, truncatedAlerts: 0)
        let triggered = IncidentLifecycle.acknowledgementExpired(incident)
        #expect(triggered.state == .triggered && triggered.acknowledgedAt == nil && triggered.acknowledgedBy == nil)
        #expect(triggered.id == 7 && triggered.title == incident.title)
    }
}

/// Who is told that an incident was handled.
@Suite("Notice recipients")
struct NoticeRecipientsTests {

    static func entry(
        _ target: String, _ contact: Contact, _ event: NotificationEvent, _ state: OutboxEntry.State, due: Bool = true
    ) -> EscalationPlanner.Queued {
        (target, contact, event, state, due)
    }

    @Test("everyone paged and not cancelled, once per contact, in the order first paged")
    func recipients() {
        let aliceMail = Contact.email("alice@example.com")
        let aliceHook = Contact.webhook("https://hooks.example.com/alice")
        let bobMail = Contact.email("bob@example.com")
        let carolMail = Contact.email("carol@example.com")
        let recipients = EscalationPlanner.noticeRecipients(of: [
            Self.entry("person:alice", aliceMail, .triggered, .sent),
            Self.entry("person:alice", aliceHook, .triggered, .sending),
            Self.entry("person:bob", bobMail, .escalated, .cancelled),
            Self.entry("person:alice", aliceMail, .reminder, .pending),
            Self.entry("person:carol", carolMail, .acknowledged, .sent),
            Self.entry("team:ops", aliceMail, .escalated, .dead),
        ])
        #expect(recipients.map(\.target) == ["person:alice", "person:alice"])
        #expect(recipients.map(\.contact) == [aliceMail, aliceHook])
    }

    @Test("a later notification rule not yet due hears nothing, and nobody is called to hear of it")
    func recipientsOfRules() {
        let text = Contact.sms("+441632960001")
        let call = Contact.voice("+441632960001")
        let mail = Contact.email("alice@example.com")
        let recipients = EscalationPlanner.noticeRecipients(of: [
            Self.entry("person:alice", mail, .triggered, .sent),
            Self.entry("person:alice", text, .triggered, .sent),
            Self.entry("person:alice", call, .triggered, .sent),
            Self.entry("person:bob", Contact.sms("+441632960002"), .triggered, .pending, due: false),
        ])
        #expect(recipients.map(\.contact) == [mail, text])
    }
}
