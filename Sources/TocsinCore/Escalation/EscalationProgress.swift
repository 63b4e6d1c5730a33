import Foundation

/// Where an escalation stands, as a person reads it: which step ran last of how many, and who is
/// paged next and when if nobody acknowledges. The console and the pages show it.
public struct EscalationProgress: Sendable, Equatable {
    /// Steps already run in this pass (0 before the first), and the steps of one pass.
    public var stepsRun: Int
    public var stepCount: Int
    /// 0 for the first pass, 1 for the first repeat, …; and how many repeats the policy allows.
    public var pass: Int
    public var repeats: Int
    /// The next step, when one is due.
    public var next: Next?

    /// The step that falls due next.
    public struct Next: Sendable, Equatable {
        /// 1-based, within its pass.
        public var stepNumber: Int
        public var targets: [NotifyTarget]
        public var dueAt: Date
    }

    public init(_ escalation: Escalation) {
        let policy = escalation.snapshot.policy
        stepCount = policy.steps.count
        repeats = max(policy.repeat, 0)
        if let due = escalation.nextDueAt, let entry = escalation.entry(at: escalation.position) {
            pass = entry.pass
            stepsRun = entry.stepIndex
            next = Next(stepNumber: entry.stepIndex + 1, targets: entry.step.notify, dueAt: due)
        } else {
            pass = repeats
            stepsRun = stepCount
            next = nil
        }
    }

    /// `step 2 of 3 next`, `step 1 of 3 next, pass 2 of 3`, or `every step run`.
    public var summary: String {
        guard let next else { return "every step run" }
        return "step \(next.stepNumber) of \(stepCount) next" + passText
    }

    private var passText: String {
        repeats > 0 ? ", pass \(pass + 1) of \(repeats + 1)" : ""
    }
}

extension NotifyTarget {
    /// How a page names the target: `alice`, `channel ops`, `ops@example.com`, `whoever is on call
    /// on primary`, `whoever is next on call on primary`.
    public var readable: String {
        switch self {
        case .person(let name): name
        case .channel(let name): "channel \(name)"
        case .email(let address): address
        case .oncall(let schedule, let next): "whoever is \(next ? "next " : "")on call on \(schedule)"
        }
    }
}
