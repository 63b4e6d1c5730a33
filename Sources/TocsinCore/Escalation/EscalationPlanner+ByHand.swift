import Foundation

extension EscalationPlanner {
    /// The escalation after someone escalated its incident by hand at `now`: the next step not yet
    /// run (or step `step` of the current pass, 1-based, when given) falls due at once, and the
    /// steps after it keep their spacing from there. Nil when there is no such step: the policy ran
    /// all its steps, or has fewer than `step`.
    ///
    /// A step already run in this epoch and pass runs again under the same idempotency keys, so
    /// whoever it notified is not paged twice for it.
    public static func escalateNow(_ escalation: Escalation, toStep step: Int? = nil, now: Date) -> Escalation? {
        let schedule = EscalationSchedule(policy: escalation.snapshot.policy)
        let steps = escalation.snapshot.policy.steps.count
        guard steps > 0 else { return nil }
        var position = escalation.position
        if let step {
            guard (1...steps).contains(step) else { return nil }
            let pass = min(escalation.position / steps, schedule.count / steps - 1)
            position = pass * steps + step - 1
        }
        guard let entry = schedule.entry(at: position) else { return nil }
        var moved = escalation
        moved.position = position
        moved.startedAt = now.addingTimeInterval(-entry.offset)
        moved.nextDueAt = now
        return moved
    }

    /// Notes to everyone already paged (``noticeRecipients(of:)``), for `tocsin note --notify`.
    /// `noteID` (the timeline entry's id) keeps each note's notifications apart.
    public static func noteNotices(
        _ text: String, incident: Incident, recipients: [(target: String, contact: Contact)], actor: String, noteID: Int64
    ) -> [NotificationDraft] {
        guard let id = incident.id else { return [] }
        return recipients.map { recipient in
            NotificationDraft(
                incidentID: id,
                idempotencyKey: "incident-\(id)/note/\(noteID)/\(recipient.target)/\(recipient.contact.keyComponent)",
                event: .note, target: recipient.target, contact: recipient.contact, urgent: false,
                subject: NotificationText.subject(.note, incident: incident),
                body: NotificationText.body(.note, incident: incident, detail: "Note from \(actor): \(text)"))
        }
    }
}
