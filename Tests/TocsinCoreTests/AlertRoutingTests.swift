import Foundation
import Testing
import TocsinCore

/// Every alert is routed by its own labels, never by its group's common labels.
@Suite("Routing per alert")
struct AlertRoutingTests {
    let t0 = Date(timeIntervalSince1970: 1_795_800_000)
    let routes = [
        Route(matchers: [try! Matcher(parsing: #"severity="critical""#)], policy: "critical-immediate"),
        Route(matchers: [try! Matcher(parsing: #"severity="warning""#)], policy: "warning-24h"),
        Route(matchers: [], policy: "warning-24h"),
    ]

    func alert(_ instance: String, _ severity: String, _ status: AlertStatus = .firing) -> Alert {
        Alert(status: status, labels: ["alertname": "DiskFull", "instance": instance, "severity": severity], startsAt: t0)
    }

    /// The group as Alertmanager sends it with `group_by: [alertname, cluster]`: its common labels
    /// hold no severity when the severities differ.
    func group(_ alerts: [Alert]) -> AlertBatch {
        let common = AlertBatch.commonLabels(of: alerts.map(\.labels))
        return AlertBatch(
            receiver: "tocsin", groupKey: "{}:{alertname=\"DiskFull\"}", status: .firing, groupLabels: ["alertname": "DiskFull"],
            commonLabels: common, alerts: alerts)
    }

    func plan(_ alerts: [Alert], latest: IngestPlanner.Existing? = nil) -> IngestPlan {
        let batch = group(alerts)
        return IngestPlanner.plan(batch: batch, latest: latest, now: t0, routes: AlertRoutes(batch, routes: routes))
    }

    @Test("a mixed group starts the policy of each alert, and the timeline says which alert started which")
    func mixedGroupOpens() {
        let critical = alert("db1:9100", "critical")
        let plan = plan([critical, alert("db2:9100", "warning"), alert("db3:9100", "warning")])
        #expect(plan.startedPolicies.map(\.policy) == ["critical-immediate", "warning-24h"])
        #expect(plan.startedPolicies.first?.alert == critical)
        #expect(plan.resultingIncident?.severity == "critical")
        #expect(plan.events.first?.note?.contains(
            "escalation policy critical-immediate (alert DiskFull on db1:9100), warning-24h (alert DiskFull on db2:9100)") == true,
            "\(plan.events.first?.note ?? "")")
    }

    @Test("alerts that all route alike name their policy plainly")
    func uniformGroup() {
        let plan = plan([alert("db1:9100", "critical"), alert("db2:9100", "critical")])
        #expect(plan.startedPolicies.map(\.policy) == ["critical-immediate"])
        #expect(plan.events.first?.note?.hasSuffix("; escalation policy critical-immediate") == true)
    }

    @Test("resolved alerts of a new group start nothing")
    func resolvedAlertsDoNotRoute() {
        let plan = plan([alert("db1:9100", "critical", .resolved), alert("db2:9100", "warning")])
        #expect(plan.startedPolicies.map(\.policy) == ["warning-24h"])
    }

    func existing(_ state: IncidentState, known: [Alert], running: Set<String>) -> IngestPlanner.Existing {
        var incident = Incident(
            id: 7, title: "DiskFull", severity: "warning", state: state, source: "alertmanager", receiver: "tocsin", groupKey: "g",
            groupLabels: [:], externalURL: "", createdAt: t0, lastSeenAt: t0, alertCount: known.count,
            firingCount: known.filter { $0.status == .firing }.count, truncatedAlerts: 0)
        if state == .acknowledged {
            incident.acknowledgedAt = t0
            incident.acknowledgedBy = "bob"
        }
        return IngestPlanner.Existing(
            incident: incident,
            alerts: Dictionary(uniqueKeysWithValues: known.map { ($0.fingerprint, .init(status: $0.status, startsAt: $0.startsAt)) }),
            runningPolicies: running)
    }

    @Test("a critical alert joining a triggered warning incident starts critical-immediate at once")
    func criticalJoinsTriggered() {
        let warning = alert("db2:9100", "warning")
        let critical = alert("db1:9100", "critical")
        let plan = plan([warning, critical], latest: existing(.triggered, known: [warning], running: ["warning-24h"]))
        #expect(plan.startedPolicies.map(\.policy) == ["critical-immediate"])
        #expect(plan.resultingIncident?.state == .triggered)
        #expect(plan.resultingIncident?.severity == "critical", "the incident's severity rises")
        #expect(plan.events.map(\.kind) == [.alertsAdded, .escalationStarted])
        #expect(plan.events.last?.note == "alert DiskFull on db1:9100 routes to critical-immediate: escalation started")
    }

    @Test("an alert routing only to policies already running starts nothing")
    func runningPolicyKeepsRunning() {
        let first = alert("db1:9100", "critical")
        let plan = plan([first, alert("db2:9100", "critical")], latest: existing(.triggered, known: [first], running: ["critical-immediate"]))
        #expect(plan.startedPolicies.isEmpty)
        #expect(plan.events.map(\.kind) == [.alertsAdded])
    }

    @Test("a critical alert joining an acknowledged incident re-triggers it and starts its policy")
    func criticalJoinsAcknowledged() {
        let warning = alert("db2:9100", "warning")
        let plan = plan([warning, alert("db1:9100", "critical")], latest: existing(.acknowledged, known: [warning], running: ["warning-24h"]))
        #expect(plan.resultingIncident?.state == .triggered)
        #expect(plan.resultingIncident?.acknowledgedBy == nil)
        #expect(plan.startedPolicies.map(\.policy) == ["critical-immediate"])
        #expect(plan.events.map(\.kind) == [.alertsAdded, .retriggered, .escalationStarted])
    }

    @Test("an alert firing again that routes to a policy not running starts it, and re-triggers an acknowledged incident")
    func refiredAlertStartsPolicy() {
        let warning = alert("db2:9100", "warning")
        let critical = alert("db1:9100", "critical")
        var resolved = critical
        resolved.status = .resolved
        let plan = plan([warning, critical], latest: existing(.acknowledged, known: [warning, resolved], running: ["warning-24h"]))
        #expect(plan.startedPolicies.map(\.policy) == ["critical-immediate"])
        #expect(plan.resultingIncident?.state == .triggered)
        #expect(plan.events.map(\.kind) == [.alertsRefired, .retriggered, .escalationStarted])
        #expect(plan.events[1].note?.contains("started another policy") == true)
    }

    @Test("a batch that resolves the incident starts nothing")
    func resolvingStartsNothing() {
        let warning = alert("db2:9100", "warning")
        var cleared = warning
        cleared.status = .resolved
        let plan = plan([cleared], latest: existing(.triggered, known: [warning], running: []))
        #expect(plan.resultingIncident?.state == .resolved)
        #expect(plan.startedPolicies.isEmpty)
    }

    @Test("route order and continue hold per alert; alerts with the same labels are matched once")
    func continueRoutes() {
        let fanOut = [
            Route(matchers: [try! Matcher(parsing: #"team="db""#)], policy: "db-audit", continue: true),
            Route(matchers: [try! Matcher(parsing: #"severity="critical""#)], policy: "critical-immediate"),
            Route(matchers: [], policy: "warning-24h"),
        ]
        var db = alert("db1:9100", "critical")
        db.labels["team"] = "db"
        let batch = group([db, alert("web1:9100", "warning")])
        let routed = AlertRoutes(batch, routes: fanOut)
        #expect(routed.policies(for: db) == ["db-audit", "critical-immediate"])
        #expect(routed.policies(for: batch.alerts[1]) == ["warning-24h"])
        #expect(routed.starts(for: batch.alerts, running: ["db-audit"]).map(\.policy) == ["critical-immediate", "warning-24h"])
    }

    @Test("each policy starts with the first alert routed to it, however the alerts that route alike are interleaved")
    func startsInterleaved() {
        let warningOne = alert("web1:9100", "warning")
        let critical = alert("db1:9100", "critical")
        let warningTwo = alert("web2:9100", "warning")
        let batch = group([warningOne, warningTwo, critical, warningOne, critical])
        let routed = AlertRoutes(batch, routes: routes)
        let starts = routed.starts(for: [warningOne, warningTwo, critical, warningTwo, critical], running: [])
        #expect(starts.map(\.policy) == ["warning-24h", "critical-immediate"])
        #expect(starts.map(\.alert) == [warningOne, critical])
        #expect(routed.starts(for: [warningOne, critical, warningTwo], running: ["critical-immediate"]).map(\.policy) == ["warning-24h"])
        #expect(routed.starts(for: [], running: []).isEmpty)

        #expect(!routed.differ(among: []))
        #expect(!routed.differ(among: [critical]))
        #expect(!routed.differ(among: [warningOne, warningTwo]))
        #expect(routed.differ(among: [warningOne, warningTwo, critical]))
        #expect(routed.differ(among: [critical, warningOne]))
    }
}
