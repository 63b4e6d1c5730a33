import Foundation

/// An alert as stored with its incident: the latest values plus when Tocsin first and last saw it.
public struct IncidentAlert: Codable, Sendable, Equatable {
    public var id: Int64?
    public var incidentID: Int64
    public var fingerprint: Fingerprint
    public var status: AlertStatus
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    public var endsAt: Date?
    public var generatorURL: String
    public var firstSeenAt: Date
    public var lastSeenAt: Date

    public init(
        id: Int64? = nil, incidentID: Int64, alert: Alert, firstSeenAt: Date, lastSeenAt: Date
    ) {
        self.id = id
        self.incidentID = incidentID
        self.fingerprint = alert.fingerprint
        self.status = alert.status
        self.labels = alert.labels
        self.annotations = alert.annotations
        self.startsAt = alert.startsAt
        self.endsAt = alert.endsAt
        self.generatorURL = alert.generatorURL
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
    }

    public enum CodingKeys: String, CodingKey {
        case id, fingerprint, status, labels, annotations
        case incidentID = "incident_id"
        case startsAt = "starts_at"
        case endsAt = "ends_at"
        case generatorURL = "generator_url"
        case firstSeenAt = "first_seen_at"
        case lastSeenAt = "last_seen_at"
    }
}
