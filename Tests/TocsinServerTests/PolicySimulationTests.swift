import Foundation
import Testing
import TocsinCore
import TocsinServer

/// `policy simulate` runs the production engine on a virtual clock, steps prepared ahead included;
/// a person's action at the very instant a step falls due comes first, as it would in real time.
@Suite("Policy simulation")
struct PolicySimulationTests {
    static let start = Date(timeIntervalSince1970: 1_795_800_000)
    static let configuration = TocsinConfiguration(
        people: [
            Person(name: "alice", email: "alice@example.com"), Person(name: "bob", email: "bob@example.com"),
            Person(name: "carol", email: "carol@example.com"),
        ],
        routes: [Route(matchers: [], policy: "page")],
        policies: [
            EscalationPolicy(name: "page", steps: [
                .init(after: 0, notify: [.person("alice")]), .init(after: 300, notify: [.person("bob")]),
            ])
        ])

    static func run(ackAt: TimeInterval) async throws -> [OutboxEntry] {
        let batch = AlertBatch(
            receiver: "r", groupKey: "k", status: .firing, groupLabels: [:], commonLabels: [:],
            alerts: [Alert(status: .firing, labels: ["alertname": "Disk", "severity": "critical"], annotations: [:], startsAt: start)])
        let result = try await PolicySimulation(
            configuration: configuration, actions: [.init(after: ackAt, action: .acknowledge(by: "carol"))], until: 3600
        ).run(batch, start: start)
        return try #require(result.detail).notifications
    }

    @Test("an acknowledgement at the very instant of a step comes first: that step pages nobody and its target hears nothing")
    func acknowledgedAtTheStep() async throws {
        let sent = try await Self.run(ackAt: 300)
        #expect(sent.filter { $0.target == "person:bob" }.isEmpty)
        #expect(sent.map { "\($0.event.rawValue) \($0.target) \($0.state.rawValue)" } == [
            "triggered person:alice sent", "acknowledged person:alice sent",
        ])
    }

    @Test("an acknowledgement a second after the step: bob was paged, and is told")
    func acknowledgedAfterTheStep() async throws {
        let sent = try await Self.run(ackAt: 301)
        #expect(sent.map { "\($0.event.rawValue) \($0.target) \($0.state.rawValue)" } == [
            "triggered person:alice sent", "escalated person:bob sent", "acknowledged person:alice sent",
            "acknowledged person:bob sent",
        ])
    }

    @Test("escalating by hand in a simulation runs bob's step when asked, not at 5m")
    func escalateByHand() async throws {
        let batch = AlertBatch(
            receiver: "r", groupKey: "k", status: .firing,
            alerts: [Alert(status: .firing, labels: ["alertname": "Disk", "severity": "critical"], startsAt: Self.start)])
        let result = try await PolicySimulation(
            configuration: Self.configuration, actions: [.init(after: 60, action: .escalate(by: "carol"))], until: 3600
        ).run(batch, start: Self.start)
        let detail = try #require(result.detail)
        #expect(detail.notifications.map(\.address) == ["alice@example.com", "bob@example.com"])
        #expect(detail.notifications.last?.dueAt == Self.start.addingTimeInterval(60))
        #expect(detail.timeline.contains { $0.kind == .escalatedByHand && $0.actor == "carol" })
    }

    @Test("a maintenance window in a simulation holds the alert, which pages alice when the window closes")
    func maintenanceWindow() async throws {
        let batch = AlertBatch(
            receiver: "r", groupKey: "k", status: .firing,
            alerts: [Alert(status: .firing, labels: ["alertname": "Disk", "cluster": "eu1"], startsAt: Self.start)])
        let result = try await PolicySimulation(
            configuration: Self.configuration, actions: [], until: 3600,
            maintenance: ([try Matcher(parsing: #"cluster="eu1""#)], 600)
        ).run(batch, start: Self.start)
        let detail = try #require(result.detail)
        #expect(detail.notifications.first?.address == "alice@example.com")
        #expect(detail.notifications.first?.dueAt == Self.start.addingTimeInterval(600), "not before the window closed")
        #expect(detail.timeline.contains { $0.kind == .heldByMaintenance })
    }
}
