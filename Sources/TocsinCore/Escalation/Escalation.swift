import Foundation

/// One incident's progress along one policy: the durable timer of the escalation engine.
///
/// `position` counts schedule entries already run in the current `epoch`; `nextDueAt` is when
/// the engine must look at this escalation again (a step, or an acknowledgement expiring), or
/// nil when nothing more will happen. An epoch starts when the incident opens and again whenever
/// escalation restarts (an acknowledgement expired, or a new alert re-triggered the incident).
public struct Escalation: Sendable, Equatable, Codable {
    public var id: Int64?
    public var incidentID: Int64
    public var policyName: String
    public var snapshot: PolicySnapshot
    public var epoch: Int
    public var startedAt: Date
    public var position: Int
    public var nextDueAt: Date?
    /// The alert whose labels routed to this policy and started it (`DiskFull on db1:9100`); nil
    /// for escalations stored before alerts were routed one by one.
    public var startedBy: String?
    /// When the policy first started on the incident (`startedAt` moves with each restart); nil
    /// for escalations stored before it was recorded.
    public var createdAt: Date?

    public init(
        id: Int64? = nil, incidentID: Int64, snapshot: PolicySnapshot, epoch: Int = 0, startedAt: Date,
        position: Int = 0, nextDueAt: Date?, startedBy: String? = nil, createdAt: Date? = nil
    ) {
        self.startedBy = startedBy
        self.createdAt = createdAt
        self.id = id
        self.incidentID = incidentID
        self.policyName = snapshot.policy.name
        self.snapshot = snapshot
        self.epoch = epoch
        self.startedAt = startedAt
        self.position = position
        self.nextDueAt = nextDueAt
    }

    public enum CodingKeys: String, CodingKey {
        case id, snapshot, epoch, position
        case incidentID = "incident_id"
        case policyName = "policy_name"
        case startedAt = "started_at"
        case nextDueAt = "next_due_at"
        case startedBy = "started_by"
        case createdAt = "created_at"
    }

    /// The schedule entry at `position`, or nil when the chain (with its repeats) is exhausted.
    public func entry(at position: Int) -> EscalationSchedule.Entry? {
        EscalationSchedule(policy: snapshot.policy).entry(at: position)
    }

    /// When the entry at `position` falls due in the current epoch.
    public func dueDate(of position: Int) -> Date? {
        entry(at: position).map { startedAt.addingTimeInterval($0.offset) }
    }
}

/// A policy's steps laid out in time, pass after pass (the first pass plus `repeat` repeats).
public struct EscalationSchedule: Sendable {
    /// One step of one pass.
    public struct Entry: Sendable, Equatable {
        /// Seconds after the epoch started.
        public var offset: TimeInterval
        /// 0 for the first pass, 1 for the first repeat, …
        public var pass: Int
        public var stepIndex: Int
        public var step: EscalationPolicy.Step
    }

    public let policy: EscalationPolicy

    public init(policy: EscalationPolicy) {
        self.policy = policy
    }

    public var count: Int { policy.steps.count * (max(policy.repeat, 0) + 1) }

    public func entry(at position: Int) -> Entry? {
        guard position >= 0, position < count, !policy.steps.isEmpty else { return nil }
        let pass = position / policy.steps.count
        let stepIndex = position % policy.steps.count
        let step = policy.steps[stepIndex]
        return Entry(offset: Double(pass) * policy.passLength + step.after, pass: pass, stepIndex: stepIndex, step: step)
    }
}
