import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

@Suite("Ingest planner")
struct IngestPlannerTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)

    func alert(_ instance: String, _ status: AlertStatus = .firing, severity: String = "warning") -> Alert {
        Alert(
            status: status, labels: ["alertname": "InstanceDown", "instance": instance, "severity": severity],
            startsAt: t0, endsAt: status == .resolved ? t0.addingTimeInterval(60) : nil)
    }

    func batch(_ alerts: [Alert], truncated: Int = 0) -> AlertBatch {
        AlertBatch(
            receiver: "team", groupKey: "{}:{alertname=\"InstanceDown\"}",
            status: alerts.contains { $0.status == .firing } ? .firing : .resolved,
            groupLabels: ["alertname": "InstanceDown"], truncatedAlerts: truncated, alerts: alerts)
    }

    /// Applies a plan the way the store does, giving the state the next plan starts from.
    func apply(_ plan: IngestPlan, to existing: IngestPlanner.Existing?) -> IngestPlanner.Existing? {
        guard var incident = plan.resultingIncident else { return existing }
        incident.id = incident.id ?? 1
        var alerts = existing?.incident.id == incident.id ? existing?.alerts ?? [:] : [:]
        for alert in plan.alerts {
            alerts[alert.fingerprint] = .init(status: alert.status, startsAt: alert.startsAt)
        }
        return IngestPlanner.Existing(incident: incident, alerts: alerts)
    }

    @Test("a firing batch with no incident opens one, titled from the group labels")
    func opens() throws {
        let plan = IngestPlanner.plan(batch: batch([alert("a"), alert("b", severity: "critical")]), latest: nil, now: t0)
        guard case .insert(let incident) = plan.incident else {
            Issue.record("expected a new incident, got \(plan.incident)")
            return
        }
        #expect(incident.state == .triggered)
        #expect(incident.title == "InstanceDown")
        #expect(incident.severity == "critical")
        #expect(incident.alertCount == 2 && incident.firingCount == 2)
        #expect(plan.events.map(\.kind) == [.opened])
        #expect(plan.counts.new == 2)
    }

    @Test("the same batch twice changes nothing but last-seen: no new events, no new alerts")
    func redeliveryIsIdempotent() throws {
        let first = IngestPlanner.plan(batch: batch([alert("a")]), latest: nil, now: t0)
        let state = apply(first, to: nil)
        let second = IngestPlanner.plan(batch: batch([alert("a")]), latest: state, now: t0.addingTimeInterval(600))
        #expect(second.events.isEmpty)
        #expect(second.counts.new == 0 && second.counts.updated == 1)
        #expect(second.resultingIncident?.lastSeenAt == t0.addingTimeInterval(600))
        #expect(second.resultingIncident?.state == .triggered)
    }

    @Test("a new fingerprint re-triggers an acknowledged incident and says why")
    func newAlertRetriggers() throws {
        var state = try #require(apply(IngestPlanner.plan(batch: batch([alert("a")]), latest: nil, now: t0), to: nil))
        state.incident.state = .acknowledged
        state.incident.acknowledgedBy = "alice"
        let plan = IngestPlanner.plan(batch: batch([alert("a"), alert("b")]), latest: state, now: t0)
        #expect(plan.resultingIncident?.state == .triggered)
        #expect(plan.resultingIncident?.acknowledgedBy == nil)
        #expect(plan.events.map(\.kind) == [.alertsAdded, .retriggered])
        #expect(plan.events.last?.note?.contains("instance") == false)
        #expect(plan.events.last?.note?.contains("InstanceDown on b") == true)
    }

    @Test("a known alert still firing does not re-trigger an acknowledged incident")
    func knownAlertKeepsAck() throws {
        var state = try #require(apply(IngestPlanner.plan(batch: batch([alert("a")]), latest: nil, now: t0), to: nil))
        state.incident.state = .acknowledged
        let plan = IngestPlanner.plan(batch: batch([alert("a")]), latest: state, now: t0)
        #expect(plan.resultingIncident?.state == .acknowledged)
        #expect(plan.events.isEmpty)
    }

    @Test("alerts resolve one by one; the incident resolves with the last one")
    func resolvesPerAlert() throws {
        var state = apply(IngestPlanner.plan(batch: batch([alert("a"), alert("b")]), latest: nil, now: t0), to: nil)
        let partial = IngestPlanner.plan(batch: batch([alert("a", .resolved), alert("b")]), latest: state, now: t0)
        #expect(partial.resultingIncident?.state == .triggered)
        #expect(partial.resultingIncident?.firingCount == 1)
        #expect(partial.events.map(\.kind) == [.alertsResolved])
        state = apply(partial, to: state)
        let all = IngestPlanner.plan(batch: batch([alert("b", .resolved)]), latest: state, now: t0)
        #expect(all.resultingIncident?.state == .resolved)
        #expect(all.resultingIncident?.resolvedBy == "alertmanager")
        #expect(all.events.map(\.kind) == [.alertsResolved, .resolved])
    }

    @Test("a resolve that ended before the firing began (delivered out of order) is ignored: the alert keeps firing")
    func staleResolve() throws {
        var refired = alert("a")
        refired.startsAt = t0.addingTimeInterval(600)  // firing again since 10m
        let state = apply(IngestPlanner.plan(batch: batch([refired]), latest: nil, now: t0.addingTimeInterval(600)), to: nil)
        var stale = alert("a", .resolved)
        stale.endsAt = t0.addingTimeInterval(300)      // the end of the earlier firing, arriving late
        let plan = IngestPlanner.plan(batch: batch([stale]), latest: state, now: t0.addingTimeInterval(610))
        #expect(plan.resultingIncident?.state == .triggered)
        #expect(plan.resultingIncident?.firingCount == 1)
        #expect(plan.alerts.isEmpty && plan.counts.ignored == 1 && plan.events.isEmpty)
        // The resolve of this firing still resolves it.
        var current = alert("a", .resolved)
        current.endsAt = t0.addingTimeInterval(900)
        #expect(IngestPlanner.plan(batch: batch([current]), latest: state, now: t0.addingTimeInterval(900)).resultingIncident?.state == .resolved)
    }

    @Test("a resolved redelivery after the incident resolved only refreshes last-seen")
    func resolvedRedelivery() throws {
        var state = apply(IngestPlanner.plan(batch: batch([alert("a")]), latest: nil, now: t0), to: nil)
        state = apply(IngestPlanner.plan(batch: batch([alert("a", .resolved)]), latest: state, now: t0), to: state)
        let again = IngestPlanner.plan(batch: batch([alert("a", .resolved), alert("z", .resolved)]), latest: state, now: t0)
        #expect(again.events.isEmpty)
        #expect(again.counts.updated == 1 && again.counts.ignored == 1)
        #expect(again.alerts.count == 1)
        #expect(again.resultingIncident?.state == .resolved)
    }

    @Test("firing again after the incident resolved opens a new incident")
    func refireAfterResolveOpensNew() throws {
        var state = apply(IngestPlanner.plan(batch: batch([alert("a")]), latest: nil, now: t0), to: nil)
        state = apply(IngestPlanner.plan(batch: batch([alert("a", .resolved)]), latest: state, now: t0), to: state)
        let plan = IngestPlanner.plan(batch: batch([alert("a")]), latest: state, now: t0)
        guard case .insert = plan.incident else {
            Issue.record("expected a new incident")
            return
        }
    }

    @Test("resolved alerts with no incident store nothing")
    func resolvedWithoutIncident() {
        let plan = IngestPlanner.plan(batch: batch([alert("a", .resolved)]), latest: nil, now: t0)
        #expect(plan.incident == .none)
        #expect(plan.counts.ignored == 1)
    }

    @Test("a resolved alert firing again within an open incident is recorded as re-fired")
    func refireWithinIncident() throws {
        var state = apply(IngestPlanner.plan(batch: batch([alert("a"), alert("b")]), latest: nil, now: t0), to: nil)
        state = apply(IngestPlanner.plan(batch: batch([alert("a", .resolved), alert("b")]), latest: state, now: t0), to: state)
        let plan = IngestPlanner.plan(batch: batch([alert("a"), alert("b")]), latest: state, now: t0)
        #expect(plan.events.map(\.kind) == [.alertsRefired])
        #expect(plan.resultingIncident?.firingCount == 2)
    }

    @Test("truncation is recorded and mentioned when the incident opens")
    func truncation() {
        let plan = IngestPlanner.plan(batch: batch([alert("a")], truncated: 3), latest: nil, now: t0)
        #expect(plan.resultingIncident?.truncatedAlerts == 3)
        #expect(plan.events.first?.note?.contains("+3 more") == true)
    }

    @Test("a still-firing alert keeps its earliest start time")
    func keepsEarliestStart() throws {
        let state = apply(IngestPlanner.plan(batch: batch([alert("a")]), latest: nil, now: t0), to: nil)
        var later = alert("a")
        later.startsAt = t0.addingTimeInterval(120)
        let plan = IngestPlanner.plan(batch: batch([later]), latest: state, now: t0)
        #expect(plan.alerts.first?.startsAt == t0)
    }

    @Test("title: summary annotation first, else alert name and group labels")
    func titles() {
        var withSummary = batch([alert("a")])
        withSummary.commonAnnotations = ["summary": "Disk almost full on db1"]
        #expect(IncidentTitle.make(for: withSummary) == "Disk almost full on db1")
        var grouped = batch([alert("a")])
        grouped.groupLabels = ["alertname": "InstanceDown", "cluster": "eu1"]
        #expect(IncidentTitle.make(for: grouped) == "InstanceDown (cluster=eu1)")
    }
}
