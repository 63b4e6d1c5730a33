import Foundation

/// Someone standing in for a schedule over `[from, until)`: an override wins over every layer.
///
/// Overrides come from the database; the schedule only reads the ones whose ``scheduleName``
/// matches its own name and that last a positive time. When overrides of one schedule overlap,
/// the one that starts latest wins; on equal starts, the one later in the array passed in.
public struct ScheduleOverride: Sendable, Hashable {
    /// The database row id, nil before it is stored.
    public var id: Int64?
    /// The ``OnCallSchedule/name`` this override belongs to.
    public var scheduleName: String
    /// Who is on call instead.
    public var person: String
    /// The first instant covered.
    public var from: Date
    /// The first instant no longer covered.
    public var until: Date

    /// Creates an override for `[from, until)`.
    public init(id: Int64? = nil, scheduleName: String, person: String, from: Date, until: Date) {
        self.id = id
        self.scheduleName = scheduleName
        self.person = person
        self.from = from
        self.until = until
    }

    /// Whether `instant` falls in `[from, until)`.
    public func covers(_ instant: Date) -> Bool { from <= instant && instant < until }
}
