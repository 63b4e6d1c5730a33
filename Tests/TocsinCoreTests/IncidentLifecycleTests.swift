import Testing
import TocsinCore

@Suite("Incident lifecycle")
struct IncidentLifecycleTests {
    @Test("acknowledge: triggered moves, acknowledged stays, resolved is refused")
    func acknowledge() {
        #expect(IncidentLifecycle.acknowledge(from: .triggered) == .moves(to: .acknowledged))
        #expect(IncidentLifecycle.acknowledge(from: .acknowledged) == .unchanged)
        guard case .rejected(let reason) = IncidentLifecycle.acknowledge(from: .resolved) else {
            Issue.record("acknowledging a resolved incident must be refused")
            return
        }
        #expect(reason.contains("already resolved"))
    }

    @Test("resolve: any open state moves, resolved stays")
    func resolve() {
        #expect(IncidentLifecycle.resolve(from: .triggered) == .moves(to: .resolved))
        #expect(IncidentLifecycle.resolve(from: .acknowledged) == .moves(to: .resolved))
        #expect(IncidentLifecycle.resolve(from: .resolved) == .unchanged)
    }

    @Test("severity ranks critical above warning above unknown values")
    func severityRanking() {
        #expect(IngestPlanner.highestSeverity(["warning", "critical", "info"]) == "critical")
        #expect(IngestPlanner.highestSeverity(["warning", "custom"]) == "warning")
        #expect(IngestPlanner.highestSeverity([]) == "none")
        #expect(IngestPlanner.highestSeverity(["CRITICAL"]) == "critical")
    }
}
