import Foundation
import TocsinCore

/// An alert of an incident: its latest values and when Tocsin first and last saw it.
public struct AlertResource: Codable, Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    /// Alertmanager's fingerprint: 16 lower-case hex digits.
    public var fingerprint: String
    public var status: AlertStatus
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    public var endsAt: Date?
    public var generatorURL: String
    public var firstSeenAt: Date
    public var lastSeenAt: Date

    public init(
        id: Int64, incidentID: Int64, fingerprint: String, status: AlertStatus, labels: [String: String],
        annotations: [String: String], startsAt: Date, endsAt: Date? = nil, generatorURL: String, firstSeenAt: Date,
        lastSeenAt: Date
    ) {
        self.id = id
        self.incidentID = incidentID
        self.fingerprint = fingerprint
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
    }

    enum CodingKeys: String, CodingKey {
        case id, fingerprint, status, labels, annotations
        case incidentID = "incident_id"
        case startsAt = "starts_at"
        case endsAt = "ends_at"
        case generatorURL = "generator_url"
        case firstSeenAt = "first_seen_at"
        case lastSeenAt = "last_seen_at"
    }
}
