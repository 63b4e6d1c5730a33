import Foundation
import TocsinCore

/// One pass of the escalator over the escalations due, decided once for both stores: each
/// escalation is planned against its incident (``EscalationPlanner/advance(_:incident:now:preparingUntil:onCall:)``),
/// and the pass collects the timers, timeline events and notifications the store then writes.
///
/// An expired acknowledgement sends its incident back to `triggered` and restarts all of the
/// incident's escalations in the database, so ``plan(_:)`` hands that incident to the store to
/// write at once (after the timers so far), and passes over the incident's other escalations
/// loaded for this pass: their copies are stale, and they wait for the next pass.
struct EscalationPass {
    private let now: Date
    private let horizon: Date
    private let onCall: OnCallDirectory
    private var incidents: [Int64: Incident]
    private var restarted: Set<Int64> = []
    private var retriggered = 0

    private(set) var tick = EscalationTick()
    /// Timers to save, since the last ``takeTimers()``.
    private var timers: [Escalation] = []
    /// Timeline events to append; `prepared` marks a step prepared ahead of its due time.
    private(set) var events: [(incidentID: Int64, event: TimelineEvent, prepared: Bool)] = []
    private(set) var notifications: [NotificationDraft] = []

    /// A pass at `now`, preparing the steps of triggered incidents due by `horizon`, over
    /// `incidents` (every incident of the escalations to plan, by id).
    init(now: Date, horizon: Date?, onCall: OnCallDirectory, incidents: [Int64: Incident]) {
        self.now = now
        self.horizon = horizon ?? now
        self.onCall = onCall
        self.incidents = incidents
    }

    /// Plans `escalation`. Returns its incident, back to `triggered`, when its acknowledgement
    /// expired: the store saves ``takeTimers()`` and the incident, then restarts the incident's
    /// other escalations, before the next escalation is planned.
    mutating func plan(_ escalation: Escalation) -> Incident? {
        tick.processed += 1
        guard !restarted.contains(escalation.incidentID), var incident = incidents[escalation.incidentID] else { return nil }
        let outcome = EscalationPlanner.advance(escalation, incident: incident, now: now, preparingUntil: horizon, onCall: onCall)
        timers.append(outcome.escalation)
        for event in outcome.events {
            events.append((escalation.incidentID, event, outcome.prepared))
            guard event.kind == .notified else { continue }
            if outcome.prepared {
                tick.preparedDueTimes.append(event.at)
            } else if let lateness = event.latenessMs {
                tick.latenessMs.append(lateness)
            }
        }
        notifications += outcome.notifications
        defer { incidents[escalation.incidentID] = incident }
        guard outcome.acknowledgementExpired else { return nil }
        retriggered += 1
        restarted.insert(escalation.incidentID)
        incident = IncidentLifecycle.acknowledgementExpired(incident)
        return incident
    }

    /// The timers planned since the last call, to save now.
    mutating func takeTimers() -> [Escalation] {
        defer { timers.removeAll() }
        return timers
    }

    /// What the pass records in the metrics once its transaction commits.
    var metricsAfterCommit: @Sendable () -> Void {
        let stepsRun = tick.latenessMs
        let retriggeredCount = retriggered
        return {
            for lateness in stepsRun { StoreMetrics.stepRan(latenessMs: lateness) }
            for _ in 0..<retriggeredCount { StoreMetrics.transition(to: .triggered) }
        }
    }
}
