import TocsinCore

/// What must hold after each captured webhook is ingested, in capture order, into an empty database.
public enum FixtureReplay {
    public struct Step: Sendable {
        public var fixture: String
        public var incidentID: Int64
        public var state: IncidentState
        public var firing: Int
        public var total: Int
        public var new: Int
        public var updated: Int
        public var resolved: Int
    }

    public static let steps: [Step] = [
        // One critical alert opens #1; the same alert through a `continue` route (other receiver) opens #2.
        Step(fixture: "webhook-01-firing-critical-single", incidentID: 1, state: .triggered, firing: 1, total: 1, new: 1, updated: 0, resolved: 0),
        Step(fixture: "webhook-02-firing-critical-continue-fanout-pager-audit", incidentID: 2, state: .triggered, firing: 1, total: 1, new: 1, updated: 0, resolved: 0),
        Step(fixture: "webhook-03-firing-warning-single", incidentID: 3, state: .triggered, firing: 1, total: 1, new: 1, updated: 0, resolved: 0),
        // A group of two, growing to three, partially resolved, then resolved.
        Step(fixture: "webhook-04-firing-grouped-2-alerts", incidentID: 4, state: .triggered, firing: 2, total: 2, new: 2, updated: 0, resolved: 0),
        Step(fixture: "webhook-05-firing-group-grew-to-3-alerts", incidentID: 4, state: .triggered, firing: 3, total: 3, new: 1, updated: 2, resolved: 0),
        Step(fixture: "webhook-06-firing-group-partially-resolved", incidentID: 4, state: .triggered, firing: 2, total: 3, new: 0, updated: 2, resolved: 1),
        Step(fixture: "webhook-07-resolved-group-all-resolved", incidentID: 4, state: .resolved, firing: 0, total: 3, new: 0, updated: 0, resolved: 2),
        Step(fixture: "webhook-08-resolved-critical-single", incidentID: 1, state: .resolved, firing: 0, total: 1, new: 0, updated: 0, resolved: 1),
        // The repeat is byte-identical to 03: only last-seen changes.
        Step(fixture: "webhook-09-repeat-after-repeat_interval", incidentID: 3, state: .triggered, firing: 1, total: 1, new: 0, updated: 1, resolved: 0),
        Step(fixture: "webhook-10-firing-truncated-max_alerts-2", incidentID: 5, state: .triggered, firing: 2, total: 2, new: 2, updated: 0, resolved: 0),
        Step(fixture: "webhook-11-firing-group_by-all-labels", incidentID: 6, state: .triggered, firing: 1, total: 1, new: 1, updated: 0, resolved: 0),
        Step(fixture: "webhook-12-firing-inhibition-source-only", incidentID: 7, state: .triggered, firing: 1, total: 1, new: 1, updated: 0, resolved: 0),
        Step(fixture: "webhook-13-firing-posted-without-endsAt", incidentID: 8, state: .triggered, firing: 1, total: 1, new: 1, updated: 0, resolved: 0),
        Step(fixture: "webhook-14-resolved-by-resolve_timeout", incidentID: 8, state: .resolved, firing: 0, total: 1, new: 0, updated: 0, resolved: 1),
        Step(fixture: "webhook-15-resolved-warning-single", incidentID: 3, state: .resolved, firing: 0, total: 1, new: 0, updated: 0, resolved: 1),
    ]
}
