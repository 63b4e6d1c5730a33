import Foundation
import TocsinCore

/// The answer to an accepted `POST /api/v1/ingest/alertmanager`.
public struct IngestResultResource: Codable, Sendable, Equatable {
    /// Always `ok`.
    public var status: String
    /// The incident the payload went into: one id, or none.
    public var incidentIDs: [Int64]
    /// That incident's state afterwards; absent when there is none.
    public var state: IncidentState?
    public var alerts: IngestCountsResource

    public init(status: String = "ok", incidentIDs: [Int64], state: IncidentState? = nil, alerts: IngestCountsResource) {
        self.status = status
        self.incidentIDs = incidentIDs
        self.state = state
        self.alerts = alerts
    }

    enum CodingKeys: String, CodingKey {
        case status, state, alerts
        case incidentIDs = "incident_ids"
    }
}

/// How the alerts of an ingested payload were counted.
public struct IngestCountsResource: Codable, Sendable, Equatable {
    /// Alerts new to the incident, or firing again.
    public var new: Int
    public var updated: Int
    public var resolved: Int
    public var ignored: Int

    public init(new: Int, updated: Int, resolved: Int, ignored: Int) {
        self.new = new
        self.updated = updated
        self.resolved = resolved
        self.ignored = ignored
    }

    enum CodingKeys: String, CodingKey {
        case new, updated, resolved, ignored
    }
}
