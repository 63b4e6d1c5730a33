import Foundation

/// Decides how a batch of alerts merges into incidents: the heart of deduplication and grouping.
///
/// Rules (Alertmanager-correct, see DESIGN.md):
/// - alerts are keyed by fingerprint within an incident; a redelivery changes only last-seen times;
/// - an open incident with the batch's key absorbs its alerts; otherwise a new incident opens when
///   at least one alert fires;
/// - alerts resolve one by one, and the incident resolves when none of its alerts fires any more;
///   a resolve that ended before the stored firing began (delivered out of order) is ignored;
/// - every firing alert is routed by its own labels (``AlertRoutes``): a new incident starts every
///   policy its alerts route to, and an alert joining an open incident starts, at once, any policy
///   it routes to that is not running on it yet (policies already running keep running);
/// - a new fingerprint joining an acknowledged incident, or a policy starting on it, returns it to
///   `triggered`;
/// - resolved alerts for an already resolved incident only refresh its last-seen times.
public enum IngestPlanner {
    /// What the store holds for the most recent incident with the batch's key.
    ///
    /// `alerts` needs to hold only the batch's fingerprints: counts and severity are carried on
    /// the incident and updated incrementally, so merging costs the size of the batch, not of the
    /// incident.
    public struct Existing: Sendable {
        public var incident: Incident
        public var alerts: [Fingerprint: KnownAlert]
        /// The policies escalating the incident (read only when the batch could start another).
        public var runningPolicies: Set<String>

        public init(incident: Incident, alerts: [Fingerprint: KnownAlert], runningPolicies: Set<String> = []) {
            self.incident = incident
            self.alerts = alerts
            self.runningPolicies = runningPolicies
        }
    }

    /// The stored facts about one alert that merging needs.
    public struct KnownAlert: Sendable, Equatable {
        public var status: AlertStatus
        public var startsAt: Date

        public init(status: AlertStatus, startsAt: Date) {
            self.status = status
            self.startsAt = startsAt
        }
    }

    /// Plans the merge of `batch` into `latest` (the newest incident with the same key, if any).
    ///
    /// `routes` says which policies each firing alert routes to.
    public static func plan(batch: AlertBatch, latest: Existing?, now: Date, routes: AlertRoutes = AlertRoutes()) -> IngestPlan {
        if let latest, latest.incident.state.isOpen {
            return merge(batch: batch, into: latest, now: now, routes: routes)
        }
        if batch.hasFiringAlerts {
            return open(batch: batch, now: now, routes: routes)
        }
        if let latest {
            return refreshResolved(batch: batch, in: latest, now: now)
        }
        var counts = IngestPlan.Counts()
        batch.alerts.forEach { _ in counts.add(.ignored) }
        return IngestPlan(
            incident: .none, alerts: [], outcomes: batch.alerts.map { _ in .ignored }, events: [], counts: counts)
    }

    private static func open(batch: AlertBatch, now: Date, routes: AlertRoutes) -> IngestPlan {
        let firing = batch.alerts.filter { $0.status == .firing }
        let started = routes.starts(for: firing, running: [])
        let outcomes = batch.alerts.map { $0.status == .firing ? IngestPlan.AlertOutcome.new : .resolved }
        let incident = Incident(
            title: IncidentTitle.make(for: batch),
            severity: highestSeverity(batch.alerts.compactMap { $0.labels["severity"] }),
            state: .triggered,
            source: batch.source,
            receiver: batch.receiver,
            groupKey: batch.groupKey,
            groupLabels: batch.groupLabels,
            externalURL: batch.externalURL,
            createdAt: now,
            lastSeenAt: now,
            alertCount: batch.alerts.count,
            firingCount: firing.count,
            truncatedAlerts: batch.truncatedAlerts
        )
        var note = "\(describe(firing)) firing"
        if batch.truncatedAlerts > 0 {
            note += " (+\(batch.truncatedAlerts) more not kept: left out by the source or past the most an incident keeps)"
        }
        let heldEvent = held(firing, routes: routes, now: now, actor: batch.source)
        note += started.isEmpty
            ? (heldEvent == nil ? "; no escalation policy matched: nobody will be notified" : "; held by maintenance: nobody is paged")
            : "; escalation policy " + describe(started, mixed: routes.differ(among: firing))
        let event = TimelineEvent(at: now, kind: .opened, actor: batch.source, channel: batch.source, note: note)
        return IngestPlan(
            incident: .insert(incident), alerts: batch.alerts, outcomes: outcomes, events: [event] + (heldEvent.map { [$0] } ?? []),
            counts: count(outcomes), startedPolicies: started)
    }

    private static func merge(batch: AlertBatch, into existing: Existing, now: Date, routes: AlertRoutes) -> IngestPlan {
        var incident = existing.incident
        let known = existing.alerts
        var alerts: [Alert] = []
        var outcomes: [IngestPlan.AlertOutcome] = []
        var added: [Alert] = []
        var refired: [Alert] = []
        var resolved: [Alert] = []
        for var alert in batch.alerts {
            if alert.status == .resolved, let stored = known[alert.fingerprint], stored.status == .firing,
                let endsAt = alert.endsAt, endsAt < stored.startsAt
            {
                // A resolve that ended before the firing it would end began: delivered out of
                // order (an SNS retry, a replay). The alert keeps firing.
                outcomes.append(.ignored)
                continue
            }
            let outcome: IngestPlan.AlertOutcome
            switch (known[alert.fingerprint]?.status, alert.status) {
            case (nil, .firing):
                outcome = .new
                added.append(alert)
            case (nil, .resolved):
                outcome = .resolved
                resolved.append(alert)
            case (.firing?, .firing):
                outcome = .updated
                alert.startsAt = min(alert.startsAt, known[alert.fingerprint]?.startsAt ?? alert.startsAt)
            case (.firing?, .resolved):
                outcome = .resolved
                resolved.append(alert)
            case (.resolved?, .firing):
                outcome = .refired
                refired.append(alert)
            case (.resolved?, .resolved):
                outcome = .updated
            }
            alerts.append(alert)
            outcomes.append(outcome)
        }

        let actor = batch.source
        var events: [TimelineEvent] = []
        if !added.isEmpty {
            events.append(TimelineEvent(at: now, kind: .alertsAdded, actor: actor, channel: actor,
                                        note: "\(describe(added)) joined"))
        }
        if !refired.isEmpty {
            events.append(TimelineEvent(at: now, kind: .alertsRefired, actor: actor, channel: actor,
                                        note: "\(describe(refired)) firing again"))
        }
        if !resolved.isEmpty {
            events.append(TimelineEvent(at: now, kind: .alertsResolved, actor: actor, channel: actor,
                                        note: "\(describe(resolved)) resolved"))
        }

        let firingCount = incident.firingCount + added.count + refired.count
            - resolved.filter { known[$0.fingerprint]?.status == .firing }.count
        incident.lastSeenAt = now
        incident.alertCount += alerts.filter { known[$0.fingerprint] == nil }.count
        incident.firingCount = firingCount
        incident.truncatedAlerts = batch.truncatedAlerts
        incident.severity = highestSeverity([incident.severity] + alerts.compactMap { $0.labels["severity"] })

        // Alerts that start firing here are routed one by one; a policy none of the incident's
        // alerts routed to before starts now, whatever the incident's state.
        let started = firingCount == 0 ? [] : routes.starts(for: added + refired, running: existing.runningPolicies)

        if firingCount == 0 {
            incident.state = .resolved
            incident.resolvedAt = now
            incident.resolvedBy = actor
            events.append(TimelineEvent(at: now, kind: .resolved, actor: actor, channel: actor,
                                        note: "all alerts resolved"))
        } else if incident.state == .acknowledged, added.contains(where: { routes.held[$0.fingerprint] == nil }) || !started.isEmpty {
            incident.state = .triggered
            incident.acknowledgedAt = nil
            incident.acknowledgedBy = nil
            let reason = added.isEmpty ? "\(describe(started.map(\.alert))) started another policy" : "\(describe(added)) joined"
            events.append(TimelineEvent(at: now, kind: .retriggered, actor: actor, channel: actor,
                                        note: "back to triggered: \(reason) after the acknowledgement; escalation restarts"))
        }
        for start in started {
            events.append(TimelineEvent(
                at: now, kind: .escalationStarted, actor: actor, channel: actor,
                note: "alert \(start.alert.shortDescription) routes to \(start.policy): escalation started"))
        }
        if let heldEvent = held(added + refired, routes: routes, now: now, actor: actor) {
            events.append(heldEvent)
        }
        return IngestPlan(incident: .update(incident), alerts: alerts, outcomes: outcomes, events: events,
                          counts: count(outcomes), startedPolicies: started)
    }

    private static func refreshResolved(batch: AlertBatch, in existing: Existing, now: Date) -> IngestPlan {
        var incident = existing.incident
        incident.lastSeenAt = now
        var alerts: [Alert] = []
        let outcomes: [IngestPlan.AlertOutcome] = batch.alerts.map { alert in
            guard existing.alerts[alert.fingerprint] != nil else { return .ignored }
            alerts.append(alert)
            return .updated
        }
        return IngestPlan(incident: .update(incident), alerts: alerts, outcomes: outcomes, events: [],
                          counts: count(outcomes))
    }

    /// The event saying which of `alerts` (starting to fire) maintenance windows hold, if any.
    private static func held(_ alerts: [Alert], routes: AlertRoutes, now: Date, actor: String) -> TimelineEvent? {
        let held = alerts.filter { routes.held[$0.fingerprint] != nil }
        guard !held.isEmpty else { return nil }
        let windows = Dictionary(grouping: held) { routes.held[$0.fingerprint]?.id ?? 0 }.keys.sorted()
        let until = held.compactMap { routes.held[$0.fingerprint]?.endsAt }.max().map { RFC3339.format($0) } ?? "?"
        return TimelineEvent(
            at: now, kind: .heldByMaintenance, actor: actor, channel: actor,
            note: "\(describe(held)) held by maintenance window \(windows.map { "#\($0)" }.joined(separator: ", ")) until \(until): nobody paged")
    }

    /// The most severe of the given `severity` label values, or `none`.
    public static func highestSeverity(_ labels: [String]) -> String {
        labels.map(Severity.init(label:)).max()?.label ?? Severity.none.label
    }

    private static func count(_ outcomes: [IngestPlan.AlertOutcome]) -> IngestPlan.Counts {
        var counts = IngestPlan.Counts()
        outcomes.forEach { counts.add($0) }
        return counts
    }

    /// `critical-immediate` when every alert routes alike; otherwise each policy with the first
    /// alert that routes to it: `critical-immediate (alert DiskFull on db1:9100), warning-24h (…)`.
    static func describe(_ started: [IngestPlan.PolicyStart], mixed: Bool) -> String {
        guard mixed else { return started.map(\.policy).joined(separator: ", ") }
        return started.map { "\($0.policy) (alert \($0.alert.shortDescription))" }.joined(separator: ", ")
    }

    /// `1 alert (DiskFull on db1:9100)` or `3 alerts (…, …, and 1 more)`.
    static func describe(_ alerts: [Alert]) -> String {
        let shown = alerts.prefix(3).map(\.shortDescription)
        var list = shown.joined(separator: ", ")
        if alerts.count > shown.count {
            list += ", and \(alerts.count - shown.count) more"
        }
        return "\(alerts.count) alert\(alerts.count == 1 ? "" : "s") (\(list))"
    }
}
