import Foundation
import TocsinCore

/// Starting policies on an incident outside ingest (a page by hand, a maintenance window that
/// closed), decided once for both stores: each policy's name on the incident, its snapshot, and
/// what its first pass does. The stores insert the escalation between ``snapshot(of:named:drillRun:configuration:)``
/// and ``firstPass(of:on:now:onCall:)`` (the pass needs its id).
enum PolicyStart {
    /// `policy` under a name the incident does not run yet (`… (2)`, `… (3)`), added to `names`.
    static func named(_ policy: EscalationPolicy, avoiding names: inout Set<String>) -> EscalationPolicy {
        var named = policy
        var number = 1
        while names.contains(named.name) {
            number += 1
            named.name = "\(policy.name) (\(number))"
        }
        names.insert(named.name)
        return named
    }

    /// The policy's snapshot; a drill's incident pages its capture receiver (or nobody, once the
    /// run finished: `drillRun` nil), never the real targets.
    static func snapshot(of policy: EscalationPolicy, configuration: TocsinConfiguration, drill: (run: DrillRun?, Void)?) -> PolicySnapshot {
        let snapshot = PolicySnapshot(policy: policy, configuration: configuration)
        return drill.map { snapshot.forDrill($0.run) } ?? snapshot
    }

    /// The first pass of a stored escalation, as for a triggered incident whatever its state:
    /// its timer (waiting as an acknowledged chain would, on an acknowledged incident), its events,
    /// and the notifications to queue (on an incident already acknowledged, each person's first
    /// rule only: nothing would stop the later ones).
    static func firstPass(of escalation: Escalation, on incident: Incident, now: Date, onCall: OnCallDirectory)
        -> (timer: Escalation, events: [TimelineEvent], notifications: [NotificationDraft])
    {
        var triggered = incident
        triggered.state = .triggered
        let outcome = EscalationPlanner.advance(escalation, incident: triggered, now: now, onCall: onCall)
        var timer = outcome.escalation
        if incident.state == .acknowledged {
            timer = EscalationPlanner.acknowledge(timer, now: incident.acknowledgedAt ?? now)
        }
        let notifications = incident.state == .triggered ? outcome.notifications : outcome.notifications.filter { $0.delay == 0 }
        return (timer, outcome.events, notifications)
    }
}
