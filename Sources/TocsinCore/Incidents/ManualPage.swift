import Foundation

/// Paging by hand: `tocsin page --person P | --schedule S | --policy NAME --summary "…"` opens an
/// incident whose source is `manual`; `tocsin page 42 --person P` adds a responder to incident 42.
///
/// A person or a schedule is paged at once through a one-step policy made for the occasion
/// (``handPolicy(for:)``), so the page goes through the engine like any other: idempotency keys,
/// the timeline, acknowledgements and resolves tell them. The incident escalates no further unless
/// a policy of the configuration is named as well.
public struct ManualPage: Sendable, Equatable {
    /// The page's title (the incident's, for a new one).
    public var summary: String?
    public var severity: String
    public var details: String?
    public var person: String?
    public var schedule: String?
    public var policy: String?

    /// The source and receiver of incidents opened by hand.
    public static let source = "manual"
    /// The alert name of a page by hand.
    public static let alertName = "ManualPage"
    public static let maxSummaryCharacters = 1024
    public static let maxDetailsCharacters = 4096

    public init(
        summary: String? = nil, severity: String = "critical", details: String? = nil, person: String? = nil,
        schedule: String? = nil, policy: String? = nil
    ) {
        self.summary = summary
        self.severity = severity
        self.details = details
        self.person = person
        self.schedule = schedule
        self.policy = policy
    }

    /// Why the page cannot be made under `configuration`, naming the field; `opening` when it opens
    /// a new incident (which needs a summary).
    public func problem(opening: Bool, configuration: TocsinConfiguration) -> IngestValidationError? {
        if person == nil, schedule == nil, policy == nil {
            return IngestValidationError(field: "person", problem: "name a person, a schedule or a policy to page")
        }
        if let person {
            guard let known = configuration.person(person) else {
                return IngestValidationError(field: "person", problem: "no person \"\(person)\" in the policy directory")
            }
            if known.contacts.isEmpty {
                return IngestValidationError(field: "person", problem: "\(person) has no email and no webhook: nobody can reach them")
            }
        }
        if let schedule, configuration.schedule(schedule) == nil {
            return IngestValidationError(field: "schedule", problem: "no schedule \"\(schedule)\" in the policy directory")
        }
        if let policy, configuration.policy(policy) == nil {
            return IngestValidationError(field: "policy", problem: "no policy \"\(policy)\" in the policy directory")
        }
        if opening {
            let text = summary?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if text.isEmpty || text.count > Self.maxSummaryCharacters {
                return IngestValidationError(field: "summary", problem: "must be 1 to \(Self.maxSummaryCharacters) characters")
            }
        }
        if let details, details.count > Self.maxDetailsCharacters {
            return IngestValidationError(field: "details", problem: "is longer than \(Self.maxDetailsCharacters) characters")
        }
        if !Severity.known.contains(severity) {
            return IngestValidationError(field: "severity", problem: "must be one of \(Severity.known.joined(separator: ", ")), got \"\(severity)\"")
        }
        return nil
    }

    /// The targets paged at once: the person and the schedule's on-call person.
    public var targets: [NotifyTarget] {
        (person.map { [NotifyTarget.person($0)] } ?? []) + (schedule.map { [NotifyTarget.oncall($0, next: false)] } ?? [])
    }

    /// The one-step policy that pages `target` at once and no one after: `page person:bob by hand`.
    public static func handPolicy(for target: NotifyTarget) -> EscalationPolicy {
        EscalationPolicy(
            name: "page \(target.key) by hand", description: handPolicyDescription, steps: [.init(after: 0, notify: [target])])
    }

    /// Marks a ``handPolicy(for:)``: its one step running is not a chain running out.
    public static let handPolicyDescription = "paged by hand"

    /// Whether `policy` was made by ``handPolicy(for:)``.
    public static func isHandPolicy(_ policy: EscalationPolicy) -> Bool { policy.description == handPolicyDescription }

    /// The one alert of a new incident opened by hand, under the unique group key `key`.
    public func batch(key: String, requestedBy: String, now: Date) -> AlertBatch {
        var annotations = ["summary": summary?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "Paged by hand"]
        annotations["description"] = details
        annotations["requested_by"] = requestedBy
        let labels = ["alertname": Self.alertName, "severity": severity]
        let alert = Alert(
            fingerprint: Fingerprint(source: Self.source, key: key), status: .firing, labels: labels, annotations: annotations,
            startsAt: now)
        return AlertBatch(
            source: Self.source, receiver: Self.source, groupKey: key, status: .firing, commonLabels: labels,
            commonAnnotations: annotations, alerts: [alert])
    }
}

extension Severity {
    /// The severities a page by hand may carry.
    public static let known = ["critical", "error", "warning", "info"]
}
