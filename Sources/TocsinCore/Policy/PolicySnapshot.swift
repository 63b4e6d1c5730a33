/// A policy frozen when an incident opens, with every target already resolved to its contacts,
/// so that later edits of the policy files do not change running incidents. (`oncall:` targets
/// are the exception by design: they resolve to whoever is on call when their step runs.)
public struct PolicySnapshot: Sendable, Equatable, Codable {
    public var policy: EscalationPolicy
    /// The contacts of every target of the policy, by target key (`person:alice`).
    public var contacts: [String: [Contact]]
    /// For an incident of a live drill: where its pages go instead of to people.
    public var drill: DrillRedirect?
    /// The notification rules of every person target that has some, by target key (nil in
    /// snapshots taken before rules existed).
    public var rules: [String: [NotificationRule]]?

    public init(policy: EscalationPolicy, contacts: [String: [Contact]], rules: [String: [NotificationRule]]? = nil) {
        self.policy = policy
        self.contacts = contacts
        self.rules = rules
    }

    /// Freezes `policy` against the people and channels of `configuration`.
    public init(policy: EscalationPolicy, configuration: TocsinConfiguration) {
        self.policy = policy
        var contacts: [String: [Contact]] = [:]
        var rules: [String: [NotificationRule]] = [:]
        for target in policy.steps.flatMap(\.notify) {
            contacts[target.key] = configuration.contacts(for: target)
            if case .person(let name) = target, let person = configuration.person(name), !person.notify.isEmpty {
                rules[target.key] = person.notify
            }
        }
        self.contacts = contacts
        self.rules = rules.isEmpty ? nil : rules
    }
}

/// How a drill incident's pages are redirected: to the drill's capture receiver, or nowhere.
public struct DrillRedirect: Sendable, Equatable, Codable {
    /// The receiver's base URL; nil when the drill run is unknown or finished (nobody is paged).
    public var receiverURL: String?

    public init(receiverURL: String?) {
        self.receiverURL = receiverURL
    }
}

extension PolicySnapshot {
    /// The contacts a page to `target` really goes to: as they are, or, for a drill, the drill's
    /// receiver (`<receiver>/<medium>/<target>`, so the receiver knows how the page would have
    /// gone out and each target keeps an address of its own) or nobody.
    public func deliverable(_ contacts: [Contact], target: String) -> [Contact] {
        guard let drill else { return contacts }
        guard let receiver = drill.receiverURL else { return [] }
        let base = receiver.hasSuffix("/") ? String(receiver.dropLast()) : receiver
        return Set(contacts.map(\.medium)).map(\.rawValue).sorted().map { Contact.webhook("\(base)/\($0)/\(target)") }
    }
}
