import Foundation

/// An on-call override: `person` is on call for `schedule` over `[starts_at, ends_at)`.
public struct OverrideResource: Codable, Sendable, Equatable {
    public var id: Int64
    public var schedule: String
    public var person: String
    public var startsAt: Date
    public var endsAt: Date
    public var note: String?
    public var createdBy: String
    public var createdAt: Date

    public init(
        id: Int64, schedule: String, person: String, startsAt: Date, endsAt: Date, note: String? = nil,
        createdBy: String, createdAt: Date
    ) {
        self.id = id
        self.schedule = schedule
        self.person = person
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, schedule, person, note
        case startsAt = "starts_at"
        case endsAt = "ends_at"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}

/// `GET /api/v1/overrides`: overrides by start time.
public struct OverrideListResource: Codable, Sendable, Equatable {
    public var overrides: [OverrideResource]

    public init(overrides: [OverrideResource]) {
        self.overrides = overrides
    }

    enum CodingKeys: String, CodingKey {
        case overrides
    }
}

/// The body of `POST /api/v1/overrides`.
public struct OverrideCreateBody: Codable, Sendable, Equatable {
    public var schedule: String
    public var person: String
    /// An RFC 3339 time, e.g. `2026-12-01T09:00:00Z` (a string: the server names a bad one).
    public var from: String
    /// An RFC 3339 time after `from`.
    public var until: String
    public var note: String?

    public init(schedule: String, person: String, from: String, until: String, note: String? = nil) {
        self.schedule = schedule
        self.person = person
        self.from = from
        self.until = until
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case schedule, person, from, until, note
    }
}
