import Foundation

/// What the escalation planner needs to resolve `oncall:` targets when a step runs: the
/// schedules and people's contacts in force, and the overrides stored in the database.
public struct OnCallDirectory: Sendable {
    public var schedules: [String: OnCallSchedule]
    /// Contacts by person name.
    public var contacts: [String: [Contact]]
    /// Notification rules by person name, for those who have some.
    public var rules: [String: [NotificationRule]]
    public var overrides: [ScheduleOverride]

    public init(
        schedules: [OnCallSchedule] = [], contacts: [String: [Contact]] = [:], rules: [String: [NotificationRule]] = [:],
        overrides: [ScheduleOverride] = []
    ) {
        self.schedules = Dictionary(schedules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.contacts = contacts
        self.rules = rules
        self.overrides = overrides
    }

    /// The directory of `configuration`'s schedules and people, with `overrides`.
    public init(configuration: TocsinConfiguration, overrides: [ScheduleOverride]) {
        self.init(
            schedules: configuration.schedules,
            contacts: Dictionary(configuration.people.map { ($0.name, $0.contacts) }, uniquingKeysWith: { first, _ in first }),
            rules: Dictionary(
                configuration.people.filter { !$0.notify.isEmpty }.map { ($0.name, $0.notify) }, uniquingKeysWith: { first, _ in first }),
            overrides: overrides)
    }

    /// Whoever is on call for `schedule` at `instant` (or, with `next`, the person after them).
    public func resolve(schedule: String, next: Bool, at instant: Date) -> OnCallAssignment? {
        guard let found = schedules[schedule] else { return nil }
        return next ? found.nextOnCall(at: instant, overrides: overrides) : found.onCall(at: instant, overrides: overrides)
    }
}
