/// What a signed one-click link does: its path segment (`…/ack`, `…/resolve`) and the action its
/// token is signed for. Every use switches over it, so no action is taken for another by default.
public enum LinkAction: String, Sendable, CaseIterable {
    case ack
    case resolve

    /// `Acknowledge`, `Resolve`: the confirmation page's button.
    public var verb: String {
        switch self {
        case .ack: "Acknowledge"
        case .resolve: "Resolve"
        }
    }

    /// `acknowledged`, `resolved`: what the incident is once done.
    public var pastTense: String {
        switch self {
        case .ack: "acknowledged"
        case .resolve: "resolved"
        }
    }
}
