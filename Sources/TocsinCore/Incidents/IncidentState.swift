/// Where an incident stands: `triggered → acknowledged → resolved`, with
/// `acknowledged → triggered` when a new alert joins (and, later, when an ack times out).
public enum IncidentState: String, Codable, Sendable, CaseIterable {
    case triggered
    case acknowledged
    case resolved

    /// Whether the incident still needs attention.
    public var isOpen: Bool { self != .resolved }
}

/// Which incidents a listing should show.
public enum IncidentFilter: String, Codable, Sendable, CaseIterable {
    case triggered
    case acknowledged
    case resolved
    /// Triggered or acknowledged.
    case open
    case all

    /// The states this filter admits.
    public var states: [IncidentState] {
        switch self {
        case .triggered: [.triggered]
        case .acknowledged: [.acknowledged]
        case .resolved: [.resolved]
        case .open: [.triggered, .acknowledged]
        case .all: IncidentState.allCases
        }
    }
}
