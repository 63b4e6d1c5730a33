import Foundation

/// What merging one ``AlertBatch`` does: the incident to write, the alert rows to upsert and
/// the timeline events to append. Produced by ``IngestPlanner``, applied by the store in one
/// transaction.
public struct IngestPlan: Sendable, Equatable {
    /// What happens to the incident the batch maps to.
    public enum IncidentWrite: Sendable, Equatable {
        /// A new incident opens (its `id` is assigned on insert).
        case insert(Incident)
        /// An existing incident is updated.
        case update(Incident)
        /// Nothing is stored: the batch only carries resolved alerts for no known incident.
        case none
    }

    /// How one alert of the batch relates to what was known.
    public enum AlertOutcome: String, Sendable, Equatable {
        /// A fingerprint the incident did not have.
        case new
        /// Known and firing, or known and resolved again: only last-seen changes.
        case updated
        /// Known as firing, now resolved.
        case resolved
        /// Known as resolved, firing again.
        case refired
        /// Not stored: resolved, and no incident knows it.
        case ignored
    }

    /// Counts returned to the sender.
    public struct Counts: Codable, Sendable, Equatable {
        public var new = 0
        public var updated = 0
        public var resolved = 0
        public var ignored = 0

        public init() {}

        mutating func add(_ outcome: AlertOutcome) {
            switch outcome {
            case .new, .refired: new += 1
            case .updated: updated += 1
            case .resolved: resolved += 1
            case .ignored: ignored += 1
            }
        }
    }

    /// An escalation policy that starts on the incident, and the alert whose labels route to it.
    public struct PolicyStart: Sendable, Equatable {
        public var policy: String
        public var alert: Alert

        public init(policy: String, alert: Alert) {
            self.policy = policy
            self.alert = alert
        }
    }

    public var incident: IncidentWrite
    /// Alerts to upsert by fingerprint into the incident, with their final values.
    public var alerts: [Alert]
    public var outcomes: [AlertOutcome]
    /// Events to append, in order; `incidentID` is filled in by the store.
    public var events: [TimelineEvent]
    public var counts: Counts
    /// Policies to start on the incident, in order: on a new incident every policy its firing
    /// alerts route to; on an open one those its new or refiring alerts route to that were not
    /// running yet.
    public var startedPolicies: [PolicyStart] = []

    /// The incident as it will be after the write, if any.
    public var resultingIncident: Incident? {
        switch incident {
        case .insert(let incident), .update(let incident): incident
        case .none: nil
        }
    }
}
