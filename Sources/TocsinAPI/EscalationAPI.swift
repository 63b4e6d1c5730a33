import Foundation
import TocsinCore

/// Where an incident stands in one escalation policy (webhook contacts of its snapshot redacted).
public struct EscalationResource: Codable, Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    public var policyName: String
    /// The policy as frozen when the escalation started, with its targets' contacts. Core's type,
    /// with Core's JSON: contacts and targets in Swift's synthesized enum coding, e.g.
    /// `{"webhook": {"_0": "https://hooks.example.com/…"}}`, `{"oncall": {"_0": "primary", "next": false}}`.
    public var snapshot: PolicySnapshot
    /// Restarts of the chain so far (an acknowledgement expired, or a new alert re-triggered it).
    public var epoch: Int
    public var startedAt: Date
    /// Schedule entries already run in the current epoch.
    public var position: Int
    /// When the engine looks at it again; absent when nothing more will happen.
    public var nextDueAt: Date?
    /// The alert whose labels routed to this policy and started it.
    public var startedBy: String?
    /// When the policy first started on the incident.
    public var createdAt: Date?

    public init(
        id: Int64, incidentID: Int64, policyName: String, snapshot: PolicySnapshot, epoch: Int, startedAt: Date,
        position: Int, nextDueAt: Date? = nil, startedBy: String? = nil, createdAt: Date? = nil
    ) {
        self.id = id
        self.incidentID = incidentID
        self.policyName = policyName
        self.snapshot = snapshot
        self.epoch = epoch
        self.startedAt = startedAt
        self.position = position
        self.nextDueAt = nextDueAt
        self.startedBy = startedBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, snapshot, epoch, position
        case incidentID = "incident_id"
        case policyName = "policy_name"
        case startedAt = "started_at"
        case nextDueAt = "next_due_at"
        case startedBy = "started_by"
        case createdAt = "created_at"
    }
}
