/// A routing rule: alerts whose labels match every matcher follow `policy`.
///
/// Routes are tried in order; the first match wins unless it sets `continue`, in which case
/// later routes are tried too. A route without matchers matches everything (the default route).
public struct Route: Sendable, Equatable {
    public var matchers: [Matcher]
    public var policy: String
    public var `continue`: Bool
    public var location: SourceLocation?

    public init(matchers: [Matcher], policy: String, continue: Bool = false, location: SourceLocation? = nil) {
        self.matchers = matchers
        self.policy = policy
        self.continue = `continue`
        self.location = location
    }

    public func matches(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { $0.matches(labels) }
    }

    /// `severity="critical"` style, or `(default)` for a route without matchers.
    public var matcherDescription: String {
        matchers.isEmpty ? "(default)" : matchers.map(\.description).joined(separator: ", ")
    }

    /// The policies an alert with `labels` follows, in route order, without repeats.
    public static func policies(for labels: [String: String], in routes: [Route]) -> [String] {
        var chosen: [String] = []
        for route in routes where route.matches(labels) {
            if !chosen.contains(route.policy) { chosen.append(route.policy) }
            if !route.continue { break }
        }
        return chosen
    }
}
