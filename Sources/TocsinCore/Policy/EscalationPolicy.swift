import Foundation

/// How an incident climbs its chain: timed steps, repeats, an acknowledgement timeout, reminders.
public struct EscalationPolicy: Sendable, Equatable, Codable {
    /// What a step is for; it decides the notification's event name.
    public enum StepKind: String, Sendable, Codable {
        /// Pages the targets: `triggered` for the first step, `escalated` for later ones.
        case page
        /// Tells the targets without paging them (informational).
        case notify
        /// Reminds the targets the incident is still open.
        case reminder
    }

    /// One timed step of the chain.
    public struct Step: Sendable, Equatable, Codable {
        /// Seconds after the chain started (the incident opened, or escalation restarted).
        public var after: TimeInterval
        public var notify: [NotifyTarget]
        public var kind: StepKind
        /// How the policy file names the step (`step 2`, `reminder 1`: its place in its list) and
        /// where it is, for `policy check`'s messages. Not stored with snapshots, not compared.
        public var origin: Origin?

        /// Where a step was written.
        public struct Origin: Sendable {
            public var label: String
            public var location: SourceLocation

            public init(label: String, location: SourceLocation) {
                self.label = label
                self.location = location
            }
        }

        public init(after: TimeInterval, notify: [NotifyTarget], kind: StepKind = .page, origin: Origin? = nil) {
            self.after = after
            self.notify = notify
            self.kind = kind
            self.origin = origin
        }

        enum CodingKeys: String, CodingKey {
            case after, notify, kind
        }

        public static func == (lhs: Step, rhs: Step) -> Bool {
            lhs.after == rhs.after && lhs.notify == rhs.notify && lhs.kind == rhs.kind
        }

        /// `policy "p", step 2 (after 5m)`: the step as its file numbers it (its place among the
        /// sorted steps, `index`, when it was not read from a file).
        public func label(in policy: String, index: Int) -> String {
            "policy \"\(policy)\", \(origin?.label ?? "step \(index + 1)") (after \(PolicyDuration.format(after)))"
        }
    }

    public var name: String
    public var description: String?
    /// Sorted by `after`; reminders are steps of kind `.reminder`.
    public var steps: [Step]
    /// How many times the chain restarts after its last step.
    public var `repeat`: Int
    /// Seconds from the start of one pass of the chain to the start of the next.
    public var repeatAfter: TimeInterval?
    /// An acknowledgement expires after this long and the incident is triggered again.
    public var ackTimeout: TimeInterval?

    public init(
        name: String, description: String? = nil, steps: [Step], repeat: Int = 0, repeatAfter: TimeInterval? = nil,
        ackTimeout: TimeInterval? = nil
    ) {
        self.name = name
        self.description = description
        self.steps = steps.sorted { $0.after < $1.after }
        self.repeat = `repeat`
        self.repeatAfter = repeatAfter
        self.ackTimeout = ackTimeout
    }

    /// The length of one pass: `repeatAfter`, or 5 minutes after the last step.
    public var passLength: TimeInterval {
        repeatAfter ?? ((steps.last?.after ?? 0) + 300)
    }

    enum CodingKeys: String, CodingKey {
        case name, description, steps, `repeat`
        case repeatAfter = "repeat_after"
        case ackTimeout = "ack_timeout"
    }
}
