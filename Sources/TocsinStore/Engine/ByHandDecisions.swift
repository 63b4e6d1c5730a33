import Foundation
import TocsinCore

/// Acting on an incident by hand (escalating now, paging, reassigning), decided and worded once
/// for both stores; the stores read, lock and write.
enum ByHand {
    /// The escalations that escalating now moves (``EscalationPlanner/escalateNow(_:toStep:now:)``).
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the incident follows no policy or none has the step.
    static func escalations(_ live: [Escalation], of id: Int64, toStep: Int?, now: Date) throws(StoreError) -> [Escalation] {
        guard !live.isEmpty else {
            throw StoreError.conflict("incident #\(id) follows no escalation policy: page someone with `tocsin page \(id) --person NAME`")
        }
        let moved = live.compactMap { EscalationPlanner.escalateNow($0, toStep: toStep, now: now) }
        guard !moved.isEmpty else {
            throw StoreError.conflict(
                toStep.map { "no policy of incident #\(id) has a step \($0)" }
                    ?? "every policy of incident #\(id) has run all its steps: page someone with `tocsin page \(id) --person NAME`")
        }
        return moved
    }

    /// An acknowledged incident escalated by hand: triggered again, and the timeline says so.
    static func retriggered(_ incident: Incident, by actor: Actor, now: Date) -> (incident: Incident, event: TimelineEvent) {
        let by = incident.acknowledgedBy ?? "?"
        var triggered = incident
        triggered.state = .triggered
        triggered.acknowledgedAt = nil
        triggered.acknowledgedBy = nil
        return (
            triggered,
            TimelineEvent(
                incidentID: incident.id, at: now, kind: .retriggered, actor: actor.name, channel: actor.channel,
                note: "back to triggered: escalated by hand after \(by)'s acknowledgement")
        )
    }

    /// The timeline entry and the audit event of escalating now.
    static func escalatedRecords(_ moved: [Escalation], of id: Int64, by actor: Actor, note: String?, now: Date)
        -> (event: TimelineEvent, audit: AuditEvent)
    {
        let what = moved.map { escalation -> String in
            let step = (escalation.position % max(escalation.snapshot.policy.steps.count, 1)) + 1
            return "step \(step) of \(escalation.policyName)"
        }.joined(separator: ", ")
        return (
            TimelineEvent(
                incidentID: id, at: now, kind: .escalatedByHand, actor: actor.name, channel: actor.channel,
                note: "\(what) run at once" + (note.map { ": \($0)" } ?? "")),
            AuditEvent(
                at: now, kind: .incidentEscalated, actor: actor.name, source: actor.channel,
                detail: "incident #\(id): \(what)" + (note.map { ": \($0)" } ?? ""))
        )
    }

    /// The policies a page by hand starts: one-step policies for its person and schedule, and its named policy.
    static func policies(of page: ManualPage, configuration: TocsinConfiguration) -> [EscalationPolicy] {
        page.targets.map(ManualPage.handPolicy(for:)) + (page.policy.flatMap(configuration.policy).map { [$0] } ?? [])
    }

    /// The batch that opens an incident by hand for `page` (a group key of its own), and the
    /// configuration that routes it to every target (``routed(_:in:)``).
    static func openingBatch(
        _ page: ManualPage, by actor: Actor, now: Date, configuration: TocsinConfiguration, snapshotJSON: SnapshotJSONCache
    ) throws(StoreError) -> (batch: PreparedBatch, configuration: TocsinConfiguration) {
        let routed = routed(page, in: configuration)
        let key = "manual/" + UUID().uuidString.lowercased()
        let batch = try StoreError.mapping {
            try PreparedBatch(page.batch(key: key, requestedBy: actor.name, now: now), configuration: routed, snapshotJSON: snapshotJSON)
        }
        return (batch, routed)
    }

    /// `configuration` with every target of `page` routed to, whatever its own routes say (an incident opened by hand).
    static func routed(_ page: ManualPage, in configuration: TocsinConfiguration) -> TocsinConfiguration {
        var routed = configuration
        routed.routes = page.targets.map { target in
            let policy = ManualPage.handPolicy(for: target)
            routed.policies.append(policy)
            return Route(matchers: [], policy: policy.name, continue: true)
        } + (page.policy.map { [Route(matchers: [], policy: $0, continue: true)] } ?? [])
        return routed
    }

    /// Who asked for a page, for the timeline and the audit trail.
    static func pageRecords(_ page: ManualPage, incident id: Int64, opened: Bool, by actor: Actor, now: Date)
        -> (event: TimelineEvent, audit: AuditEvent)
    {
        let what = describe(page)
        return (
            TimelineEvent(
                incidentID: id, at: now, kind: .escalationStarted, actor: actor.name, channel: actor.channel, note: "paged by hand: \(what)"),
            AuditEvent(
                at: now, kind: .incidentPaged, actor: actor.name, source: actor.channel, detail: "incident #\(id)\(opened ? " opened" : ""): \(what)")
        )
    }

    /// The timeline entry and the audit event of a reassignment that stopped `stopped`.
    static func reassignedRecords(_ page: ManualPage, incident id: Int64, stopped: [Escalation], by actor: Actor, now: Date)
        -> (event: TimelineEvent, audit: AuditEvent)
    {
        let what = describe(page)
        return (
            TimelineEvent(
                incidentID: id, at: now, kind: .escalationStarted, actor: actor.name, channel: actor.channel,
                note: "reassigned by hand: \(stopped.map(\.policyName).joined(separator: ", ")) stopped; \(what)"),
            AuditEvent(at: now, kind: .incidentReassigned, actor: actor.name, source: actor.channel, detail: "incident #\(id): \(what)")
        )
    }

    /// A page by hand whose person or schedule would reach nobody now (nobody on call) is refused,
    /// and nothing of it is kept.
    static func nobodyPaged(_ page: ManualPage) -> StoreError {
        StoreError.conflict(
            "nobody could be paged now (\(describe(page))): "
                + (page.schedule.map { "nobody is on call for \($0)? " } ?? "") + "page a person with --person")
    }

    static func describe(_ page: ManualPage) -> String {
        var parts: [String] = []
        if let person = page.person { parts.append("person \(person)") }
        if let schedule = page.schedule { parts.append("whoever is on call for \(schedule)") }
        if let policy = page.policy { parts.append("policy \(policy)") }
        return parts.joined(separator: ", ")
    }

    /// The audit event of a note.
    static func noteAudit(_ text: String, incident id: Int64, by actor: Actor, now: Date) -> AuditEvent {
        AuditEvent(at: now, kind: .incidentNoted, actor: actor.name, source: actor.channel, detail: "incident #\(id): \(text)")
    }
}
