import Foundation

/// One schedule at an instant (`GET /api/v1/oncall`): who is on call, and who is next.
public struct OnCallResource: Codable, Sendable, Equatable {
    public var schedule: String
    /// The schedule's IANA time zone, e.g. `Europe/London`.
    public var timezone: String
    public var at: Date
    /// Absent when nobody is on call at `at`.
    public var oncall: ShiftResource?
    /// Absent when nobody comes next.
    public var next: ShiftResource?

    public init(schedule: String, timezone: String, at: Date, oncall: ShiftResource? = nil, next: ShiftResource? = nil) {
        self.schedule = schedule
        self.timezone = timezone
        self.at = at
        self.oncall = oncall
        self.next = next
    }

    enum CodingKeys: String, CodingKey {
        case schedule, timezone, at, oncall, next
    }
}

/// A stretch of time with one person on call (in a gap, nobody: `person` is absent).
public struct ShiftResource: Codable, Sendable, Equatable {
    public var person: String?
    /// `layer NAME`, `override #ID`, or `gap`.
    public var source: String
    public var start: Date
    public var end: Date

    public init(person: String?, source: String, start: Date, end: Date) {
        self.person = person
        self.source = source
        self.start = start
        self.end = end
    }

    enum CodingKeys: String, CodingKey {
        case person, source, start, end
    }
}

/// A schedule's resolved shifts over a period (`GET /api/v1/oncall/shifts`), gaps included, in order.
public struct OnCallTimelineResource: Codable, Sendable, Equatable {
    public var schedule: String
    /// The schedule's IANA time zone.
    public var timezone: String
    public var shifts: [ShiftResource]

    public init(schedule: String, timezone: String, shifts: [ShiftResource]) {
        self.schedule = schedule
        self.timezone = timezone
        self.shifts = shifts
    }

    enum CodingKeys: String, CodingKey {
        case schedule, timezone, shifts
    }
}
