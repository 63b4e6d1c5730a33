import Foundation

/// Everything read from the policy directory: people, channels, routes and policies.
///
/// Loading (YAML, files, positions) happens outside the core; this type holds the result and
/// answers the questions the engine and `tocsin policy check` ask of it.
public struct TocsinConfiguration: Sendable, Equatable {
    public var people: [Person]
    public var channels: [Channel]
    public var routes: [Route]
    public var policies: [EscalationPolicy]
    /// On-call schedules, which steps target with `oncall: NAME`.
    public var schedules: [OnCallSchedule]
    /// Dead man's switches: senders that must beat, or an incident opens.
    public var heartbeats: [Heartbeat]
    /// Where each policy and each schedule was defined, by name.
    public var policyLocations: [String: SourceLocation]
    public var scheduleLocations: [String: SourceLocation]

    public init(
        people: [Person] = [], channels: [Channel] = [], routes: [Route] = [], policies: [EscalationPolicy] = [],
        schedules: [OnCallSchedule] = [], heartbeats: [Heartbeat] = [], policyLocations: [String: SourceLocation] = [:],
        scheduleLocations: [String: SourceLocation] = [:]
    ) {
        self.people = people
        self.channels = channels
        self.routes = routes
        self.policies = policies
        self.schedules = schedules
        self.heartbeats = heartbeats
        self.policyLocations = policyLocations
        self.scheduleLocations = scheduleLocations
    }

    public func schedule(_ name: String) -> OnCallSchedule? { schedules.first { $0.name == name } }

    public func heartbeat(_ name: String) -> Heartbeat? { heartbeats.first { $0.name == name } }

    public func person(_ name: String) -> Person? { people.first { $0.name == name } }
    /// The person whose phone is `number` (E.164), for a reply to a text.
    public func person(withPhone number: String) -> Person? { people.first { $0.phone == number } }
    public func channel(_ name: String) -> Channel? { channels.first { $0.name == name } }
    public func policy(_ name: String) -> EscalationPolicy? { policies.first { $0.name == name } }

    /// The contacts behind a target (empty when it names nobody known, or someone unreachable).
    public func contacts(for target: NotifyTarget) -> [Contact] {
        switch target {
        case .person(let name): person(name)?.contacts ?? []
        case .channel(let name): channel(name)?.contacts ?? []
        case .email(let address): [.email(address)]
        case .oncall: []  // resolved when the step runs (see OnCallDirectory)
        }
    }

    /// How to write and sign webhooks for an outbox target (`person:alice`, `channel:team-chat`).
    /// Looked up when delivering, so a secret rotation takes effect without touching running incidents.
    public func webhookSettings(forTarget target: String) -> WebhookSettings {
        if target.hasPrefix("person:") { return person(String(target.dropFirst(7)))?.webhook ?? WebhookSettings() }
        if target.hasPrefix("channel:") { return channel(String(target.dropFirst(8)))?.webhook ?? WebhookSettings() }
        return WebhookSettings()
    }

    /// The time zone an outbox target (`person:alice`) reads its pages in: the person's
    /// `timezone`, or UTC for a channel, a bare address, or a person without a known zone.
    public func timeZone(forTarget target: String) -> TimeZone {
        guard target.hasPrefix("person:"), let name = person(String(target.dropFirst(7)))?.timezone,
            let zone = TimeZone(identifier: name)
        else { return ReadableTime.utc }
        return zone
    }

    /// Which of the policies defined here each firing alert of `batch` routes to, by its own
    /// labels; none for an alert a maintenance window of `hold` holds.
    public func routes(for batch: AlertBatch, hold: MaintenanceHold = MaintenanceHold()) -> AlertRoutes {
        var routed = AlertRoutes(batch, routes: routes)
        let defined = Set(policies.map(\.name))
        for (fingerprint, names) in routed.byFingerprint where !names.allSatisfy(defined.contains) {
            routed.byFingerprint[fingerprint] = names.filter(defined.contains)
        }
        routed.apply(hold, to: batch)
        return routed
    }

    /// The snapshot of the policy named `name`, taken now, if it is defined.
    public func snapshot(ofPolicy name: String) -> PolicySnapshot? {
        policy(name).map { PolicySnapshot(policy: $0, configuration: self) }
    }
}
