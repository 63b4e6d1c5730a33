import Foundation

/// A mock-incident drill: alerts to fire, what people do and when, and what must happen.
///
/// Read from YAML (`drills/*.yaml`) by the server's loader; run by the drill runner on a virtual
/// clock against the production engine.
public struct Drill: Sendable, Equatable {
    /// One alert the drill fires.
    public struct DrillAlert: Sendable, Equatable {
        public var labels: [String: String]
        public var annotations: [String: String]
        /// When the alert starts firing, in seconds after the drill starts: 0 for the group that
        /// opens the incident; later, the alert joins the group (its webhook is sent again).
        public var at: TimeInterval

        public init(labels: [String: String], annotations: [String: String] = [:], at: TimeInterval = 0) {
            self.labels = labels
            self.annotations = annotations
            self.at = at
        }
    }

    /// Something that happens during the drill.
    public enum Action: Sendable, Equatable {
        /// Someone acknowledges the incident.
        case acknowledge(by: String)
        /// Someone resolves the incident by hand.
        case resolve(by: String)
        /// The drill's alerts fire (again), as Alertmanager would send them: those that have
        /// started by then (an alert with a later `at` joins the group when its time comes).
        case fire
        /// The drill's alerts resolve, as Alertmanager would send them.
        case clear
        /// Deliveries by `medium` (`webhook`, `email`, or nil for all) fail until `until` seconds.
        case receiverDown(medium: Medium?, until: TimeInterval)
        /// Tocsin stops and starts again (live: the `--restart-command`; virtual: the engine is
        /// rebuilt on the same database).
        case restart
        /// Someone escalates the incident by hand: its next step (or step `toStep`) runs now.
        case escalate(toStep: Int?)
        /// Someone writes a note on the incident.
        case note(String)
        /// A maintenance window opens for the drill's alerts matching `matchers`, until `until`
        /// seconds after the drill starts (live: scoped to the drill's own alerts).
        case maintenance(matchers: [Matcher], until: TimeInterval)
    }

    /// An action at an offset from the start.
    public struct TimedAction: Sendable, Equatable {
        public var at: TimeInterval
        public var action: Action

        public init(at: TimeInterval, action: Action) {
            self.at = at
            self.action = action
        }
    }

    public var name: String
    public var alerts: [DrillAlert]
    public var actions: [TimedAction]
    public var expectations: [DrillExpectation]
    /// How long the drill runs.
    public var duration: TimeInterval

    public init(
        name: String, alerts: [DrillAlert], actions: [TimedAction], expectations: [DrillExpectation], duration: TimeInterval
    ) {
        self.name = name
        self.alerts = alerts
        // An alert that starts later joins the group: the group is sent again when it does.
        let joins = Set(alerts.map(\.at).filter { $0 > 0 }).map { TimedAction(at: $0, action: .fire) }
        self.actions = (actions + joins).sorted { $0.at < $1.at }
        self.expectations = expectations
        self.duration = duration
    }
}

extension Drill {
    /// The maintenance windows the drill opens at +0s: they are open before its alerts first fire.
    public var windowsOpenAtStart: [Action] {
        actions.filter { action in
            guard action.at == 0, case .maintenance = action.action else { return false }
            return true
        }.map(\.action)
    }
}

/// A notification that reached a (captured) receiver during a drill.
public struct DrillDelivery: Sendable, Equatable, Codable {
    /// Seconds after the drill started.
    public var offset: TimeInterval
    public var incidentID: Int64
    public var target: String
    public var medium: Medium
    public var event: NotificationEvent

    public init(offset: TimeInterval, incidentID: Int64, target: String, medium: Medium, event: NotificationEvent) {
        self.offset = offset
        self.incidentID = incidentID
        self.target = target
        self.medium = medium
        self.event = event
    }

    enum CodingKeys: String, CodingKey {
        case offset, target, medium, event
        case incidentID = "incident_id"
    }
}
