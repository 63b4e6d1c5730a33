/// A policy frozen when an incident opens, with every target already resolved to its contacts,
/// so that later edits of the policy files do not change running incidents.
public struct PolicySnapshot: Sendable, Equatable, Codable {
    public var policy: EscalationPolicy
    /// The contacts of every target of the policy, by target key (`person:alice`).
    public var contacts: [String: [Contact]]

    public init(policy: EscalationPolicy, contacts: [String: [Contact]]) {
        self.policy = policy
        self.contacts = contacts
    }

    /// Freezes `policy` against the people and channels of `configuration`.
    public init(policy: EscalationPolicy, configuration: TocsinConfiguration) {
        self.policy = policy
        var contacts: [String: [Contact]] = [:]
        for target in policy.steps.flatMap(\.notify) {
            contacts[target.key] = configuration.contacts(for: target)
        }
        self.contacts = contacts
    }
}
