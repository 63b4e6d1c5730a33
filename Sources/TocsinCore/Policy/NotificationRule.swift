import Foundation

/// One of a person's notification rules (`notify:` under `people:`): this long after a step pages
/// them, reach them by these contact methods. Rules run from the moment a step pages the person;
/// an acknowledgement stops those not yet due.
///
/// ```yaml
/// notify:
///   - {after: 0m, via: [webhook, email]}
///   - {after: 2m, via: sms}
///   - {after: 5m, via: voice}
/// ```
public struct NotificationRule: Sendable, Equatable, Codable {
    /// Seconds after the page.
    public var after: TimeInterval
    /// The contact methods to use, in the order written.
    public var via: [Medium]

    public init(after: TimeInterval, via: [Medium]) {
        self.after = after
        self.via = via
    }

    /// One wave of a page to one person: these contacts, this long after the step.
    public struct Wave: Sendable, Equatable {
        /// The rule's place in the person's rules (0 for the first, and without rules).
        public var rule: Int
        public var delay: TimeInterval
        public var contacts: [Contact]

        public init(rule: Int, delay: TimeInterval, contacts: [Contact]) {
            self.rule = rule
            self.delay = delay
            self.contacts = contacts
        }
    }

    /// How a page reaches someone with `contacts` and `rules`: every rule as a wave of the contacts
    /// of its methods (only the first rule for an informational step, which wakes nobody); without
    /// rules, every contact at once but a call.
    public static func waves(contacts: [Contact], rules: [NotificationRule], urgent: Bool) -> [Wave] {
        guard !rules.isEmpty else {
            return [Wave(rule: 0, delay: 0, contacts: contacts.filter { $0.medium != .voice })]
        }
        return rules.prefix(urgent ? rules.count : 1).enumerated().compactMap { index, rule in
            let reached = contacts.filter { rule.via.contains($0.medium) }
            return reached.isEmpty ? nil : Wave(rule: index, delay: max(rule.after, 0), contacts: reached)
        }
    }
}
