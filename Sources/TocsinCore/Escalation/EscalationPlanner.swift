import Foundation

/// What happens when an incident escalates: the pure decisions of the escalation engine.
///
/// Given an escalation (a policy snapshot and a position in its schedule), the incident and the
/// current time, the planner answers which notifications to queue, which timeline events to
/// write and when to look again. The store applies each answer in one transaction, so a step
/// runs exactly once: its notifications, its event and the advanced timer commit together.
///
/// - Opening an incident starts one escalation per matched policy, due at once.
/// - While the incident is triggered, every schedule entry whose time has come runs, in order;
///   entries that fell due while Tocsin was down run at once, each once, with their lateness.
/// - Acknowledging pauses escalation until the policy's `ack_timeout`; when it expires the
///   incident is triggered again and the chain restarts from its first step (a new epoch).
/// - A new alert joining an acknowledged incident also restarts the chain.
/// - Resolving stops escalation; everyone already paged is told.
/// - A step of a triggered incident may be prepared a little ahead of its due time (the service
///   does so by two seconds): it runs as of its due time and its notifications wait in the outbox
///   until then, so a burst of steps falling due at one instant is written before the instant
///   comes. An acknowledgement or a resolve before the due time takes the prepared step back.
public enum EscalationPlanner {
    /// The answer for one escalation at one instant.
    public struct Outcome: Sendable, Equatable {
        public var escalation: Escalation
        public var notifications: [NotificationDraft] = []
        public var events: [TimelineEvent] = []
        /// The acknowledgement expired: the incident returns to `triggered` (and its other
        /// escalations restart too).
        public var acknowledgementExpired = false
        /// The step was prepared ahead of its due time: its events carry that time and its
        /// notifications are held until then.
        public var prepared = false
    }

    /// The actor name on the engine's own timeline events.
    public static let actor = "tocsin"

    /// A new escalation, due at once: for an incident that just opened, or one that an alert
    /// routing to a policy not yet running on it joined. `startedBy` names that alert.
    public static func start(incidentID: Int64, snapshot: PolicySnapshot, now: Date, startedBy: String? = nil) -> Escalation {
        Escalation(incidentID: incidentID, snapshot: snapshot, startedAt: now, nextDueAt: now, startedBy: startedBy, createdAt: now)
    }

    /// Restarts the chain from its first step, due at once (a new epoch).
    public static func restart(_ escalation: Escalation, now: Date) -> Escalation {
        var restarted = escalation
        restarted.epoch += 1
        restarted.startedAt = now
        restarted.position = 0
        restarted.nextDueAt = now
        return restarted
    }

    /// Pauses the chain after an acknowledgement: due again when the acknowledgement expires.
    public static func acknowledge(_ escalation: Escalation, now: Date) -> Escalation {
        var paused = escalation
        paused.nextDueAt = escalation.snapshot.policy.ackTimeout.map { now.addingTimeInterval($0) }
        return paused
    }

    /// Stops the chain for good (the incident resolved).
    public static func stop(_ escalation: Escalation) -> Escalation {
        var stopped = escalation
        stopped.nextDueAt = nil
        return stopped
    }

    /// Runs whatever is due for `escalation` of `incident` at `now`; `oncall:` targets resolve
    /// through `onCall` at that moment.
    public static func advance(
        _ escalation: Escalation, incident: Incident, now: Date, onCall: OnCallDirectory = OnCallDirectory()
    ) -> Outcome {
        var outcome = Outcome(escalation: escalation)
        switch incident.state {
        case .resolved:
            outcome.escalation.nextDueAt = nil
            return outcome
        case .acknowledged:
            guard let timeout = escalation.snapshot.policy.ackTimeout, let acknowledgedAt = incident.acknowledgedAt else {
                outcome.escalation.nextDueAt = nil
                return outcome
            }
            let expiry = acknowledgedAt.addingTimeInterval(timeout)
            guard expiry <= now else {
                outcome.escalation.nextDueAt = expiry
                return outcome
            }
            outcome.acknowledgementExpired = true
            outcome.events.append(TimelineEvent(
                at: now, kind: .acknowledgementExpired, actor: actor, channel: "escalation",
                note: "acknowledgement by \(incident.acknowledgedBy ?? "?") expired after \(PolicyDuration.format(timeout)); escalation restarts",
                latenessMs: lateness(now, due: expiry)))
            outcome.escalation = restart(escalation, now: now)
            var triggered = incident
            triggered.state = .triggered
            runDueSteps(&outcome, incident: triggered, now: now, onCall: onCall)
        case .triggered:
            runDueSteps(&outcome, incident: incident, now: now, onCall: onCall)
        }
        return outcome
    }

    /// Like ``advance(_:incident:now:onCall:)``, and also prepares the step of a triggered
    /// incident that falls due after `now` but by `horizon`: it runs as of its due time, with its
    /// notifications held until then (`notBefore`). An acknowledgement expiring is never prepared
    /// ahead: the incident stays acknowledged until it does.
    public static func advance(
        _ escalation: Escalation, incident: Incident, now: Date, preparingUntil horizon: Date,
        onCall: OnCallDirectory = OnCallDirectory()
    ) -> Outcome {
        guard let due = escalation.nextDueAt, isAhead(due, of: now) else {
            return advance(escalation, incident: incident, now: now, onCall: onCall)
        }
        guard !isAhead(due, of: horizon), incident.state == .triggered else { return Outcome(escalation: escalation) }
        var outcome = advance(escalation, incident: incident, now: due, onCall: onCall)
        outcome.prepared = true
        for index in outcome.notifications.indices {
            outcome.notifications[index].notBefore = due
        }
        return outcome
    }

    /// Takes back the steps prepared ahead of `now` (an acknowledgement, a resolve or an on-call
    /// change came before they fell due): the position and the next due time return to the first
    /// step not yet due.
    public static func withdrawPrepared(_ escalation: Escalation, now: Date) -> Escalation {
        var withdrawn = escalation
        while withdrawn.position > 0, let due = withdrawn.dueDate(of: withdrawn.position - 1), isAhead(due, of: now) {
            withdrawn.position -= 1
            withdrawn.nextDueAt = due
        }
        return withdrawn
    }

    /// Whether `due` is later than `now` to the millisecond, as the database compares the times it
    /// stores: a step is prepared ahead (and taken back) exactly when the database says so.
    private static func isAhead(_ due: Date, of now: Date) -> Bool {
        milliseconds(due) > milliseconds(now)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// A notification already decided for an incident, as far as who hears a notice depends on it.
    /// A notification already in the outbox; `due` when it has fallen due (a later notification
    /// rule's is not until its time comes).
    public typealias Queued = (target: String, contact: Contact, event: NotificationEvent, state: OutboxEntry.State, due: Bool)

    /// Who hears that an incident was handled, of its notifications so far (oldest first):
    /// everyone a page was queued for and due, unless it was cancelled (a page being delivered may
    /// still reach them), once per contact, in the order they were first paged. Never by a call:
    /// nobody is rung to hear that they need not get up.
    public static func noticeRecipients(of notifications: [Queued]) -> [(target: String, contact: Contact)] {
        var told: Set<Contact> = []
        return notifications.compactMap { entry in
            guard entry.event.isPage, entry.state != .cancelled, entry.due, entry.contact.medium != .voice else { return nil }
            return told.insert(entry.contact).inserted ? (entry.target, entry.contact) : nil
        }
    }

    /// Notices to everyone already paged, when the incident is acknowledged or resolved.
    public static func notices(
        _ event: NotificationEvent, incident: Incident, recipients: [(target: String, contact: Contact)], actor: String,
        note: String?, epoch: Int
    ) -> [NotificationDraft] {
        guard let id = incident.id else { return [] }
        let detail = "\(event == .resolved ? "Resolved" : "Acknowledged") by \(actor)" + (note.map { ": \($0)" } ?? "")
        return recipients.map { recipient in
            NotificationDraft(
                incidentID: id,
                idempotencyKey: "incident-\(id)/\(event.rawValue)/e\(epoch)/\(recipient.target)/\(recipient.contact.keyComponent)",
                event: event, target: recipient.target, contact: recipient.contact, urgent: false,
                subject: NotificationText.subject(event, incident: incident),
                body: NotificationText.body(event, incident: incident, detail: detail))
        }
    }

    private static func runDueSteps(_ outcome: inout Outcome, incident: Incident, now: Date, onCall: OnCallDirectory) {
        var escalation = outcome.escalation
        let schedule = EscalationSchedule(policy: escalation.snapshot.policy)
        while let entry = schedule.entry(at: escalation.position) {
            let due = escalation.startedAt.addingTimeInterval(entry.offset)
            guard due <= now else { break }
            run(entry, of: escalation, incident: incident, due: due, now: now, onCall: onCall, into: &outcome)
            escalation.position += 1
            if escalation.position == schedule.count, !ManualPage.isHandPolicy(escalation.snapshot.policy) {
                let passes = schedule.count / max(escalation.snapshot.policy.steps.count, 1)
                outcome.events.append(TimelineEvent(
                    at: now, kind: .escalationExhausted, actor: actor, channel: "escalation",
                    note: "policy \(escalation.policyName) ran all its steps (\(passes) pass\(passes == 1 ? "" : "es")); nobody acknowledged"))
            }
        }
        escalation.nextDueAt = escalation.dueDate(of: escalation.position)
        outcome.escalation = escalation
    }

    private static func run(
        _ entry: EscalationSchedule.Entry, of escalation: Escalation, incident: Incident, due: Date, now: Date,
        onCall: OnCallDirectory, into outcome: inout Outcome
    ) {
        guard let id = incident.id else { return }
        let policy = escalation.snapshot.policy
        let event: NotificationEvent =
            switch entry.step.kind {
            case .reminder: .reminder
            case .page, .notify: entry.pass == 0 && entry.stepIndex == 0 ? .triggered : .escalated
            }
        let verb =
            switch (entry.step.kind, event) {
            case (.reminder, _): "remind"
            case (.notify, _): "notify"
            case (.page, .triggered): "page"
            default: "escalate to"
            }
        var reached: [String] = []
        var unreachable: [String] = []
        let stepLabel = "step \(entry.stepIndex + 1)/\(policy.steps.count)" + (entry.pass > 0 ? ", repeat \(entry.pass)" : "")
        let detail = "Policy \(policy.name), \(stepLabel)"
        let subject = NotificationText.subject(event, incident: incident)
        let body = NotificationText.body(event, incident: incident, detail: detail)
        let stepName = "\(policy.name) \(stepLabel)"
        let keyPrefix = "incident-\(id)/\(policy.name)/e\(escalation.epoch)/p\(entry.pass)/s\(entry.stepIndex)/"
        for target in entry.step.notify {
            guard let recipient = recipient(target, of: escalation, now: now, onCall: onCall) else {
                unreachable.append("\(target.key) (nobody on call)")
                continue
            }
            let waves = NotificationRule.waves(contacts: recipient.contacts, rules: recipient.rules, urgent: entry.step.kind != .notify)
                .map { wave in
                    var wave = wave
                    wave.contacts = escalation.snapshot.deliverable(wave.contacts, target: recipient.key)
                    return wave
                }
                .filter { !$0.contacts.isEmpty }
            if waves.isEmpty {
                unreachable.append(recipient.key == target.key ? target.key : "\(target.key) → \(recipient.name)")
                continue
            }
            reached.append("\(recipient.name) (" + waves.map(Self.describe).joined(separator: ", ") + ")")
            // An on-call target's key names the person it resolved to, so a handoff mid-incident
            // pages the new person instead of being taken for a page already sent.
            let keyTarget = recipient.key == target.key ? target.key : "\(target.key)/\(recipient.key)"
            for wave in waves {
                // The first rule keeps the key notifications had before rules existed.
                let ruleKey = wave.rule == 0 ? "" : "/r\(wave.rule)"
                for contact in wave.contacts {
                    var draft = NotificationDraft(
                        incidentID: id, idempotencyKey: keyPrefix + "\(keyTarget)/\(contact.keyComponent)" + ruleKey,
                        event: event, target: recipient.key, contact: contact, urgent: entry.step.kind == .page,
                        subject: subject, body: body, step: stepName)
                    draft.delay = wave.delay
                    outcome.notifications.append(draft)
                }
            }
        }
        var note = "\(verb) \(reached.isEmpty ? "nobody" : reached.joined(separator: ", ")) — \(policy.name) \(stepLabel)"
        if !unreachable.isEmpty {
            note += "; unreachable (no contact): \(unreachable.joined(separator: ", "))"
        }
        let late = lateness(now, due: due)
        if let late, late >= 1000 {
            note += "; ran \(PolicyDuration.format(Double(late) / 1000)) late"
        }
        outcome.events.append(TimelineEvent(
            at: now, kind: .notified, actor: actor, channel: "escalation", note: note, latenessMs: late))
    }

    /// `email, webhook` for contacts at once; `sms after 2m` for a later rule.
    private static func describe(_ wave: NotificationRule.Wave) -> String {
        let media = wave.contacts.map(\.medium.rawValue).joined(separator: ", ")
        return wave.delay > 0 ? "\(media) after \(PolicyDuration.format(wave.delay))" : media
    }

    /// Who a target reaches at `now`: its outbox key, its name on the timeline, its contacts and
    /// their notification rules. Nil for an `oncall:` target whose schedule has nobody on call.
    private static func recipient(
        _ target: NotifyTarget, of escalation: Escalation, now: Date, onCall: OnCallDirectory
    ) -> (key: String, name: String, contacts: [Contact], rules: [NotificationRule])? {
        let contacts = escalation.snapshot.contacts[target.key] ?? []
        let rules = escalation.snapshot.rules?[target.key] ?? []
        switch target {
        case .person(let name): return (target.key, name, contacts, rules)
        case .channel(let name): return (target.key, "channel \(name)", contacts, [])
        case .email(let address): return (target.key, address, contacts, [])
        case .oncall(let schedule, let next):
            guard let assignment = onCall.resolve(schedule: schedule, next: next, at: now) else { return nil }
            let role = next ? "next on call for \(schedule)" : "on call for \(schedule)"
            return (
                "person:\(assignment.person)", "\(assignment.person), \(role)", onCall.contacts[assignment.person] ?? [],
                onCall.rules[assignment.person] ?? []
            )
        }
    }

    /// Milliseconds between when something was due and when it ran.
    static func lateness(_ now: Date, due: Date) -> Int? {
        Int((now.timeIntervalSince(due) * 1000).rounded())
    }
}
