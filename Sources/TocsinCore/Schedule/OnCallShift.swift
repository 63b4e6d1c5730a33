import Foundation

/// One person on call from one source over `[start, end)`.
///
/// As a segment of a schedule's resolved timeline (``OnCallSchedule/shifts(from:until:overrides:)``)
/// it is what remains after layers, restrictions and overrides are applied. As the answer to "who
/// is on call now" (``OnCallAssignment``), `start` and `end` bound the person's turn in their layer
/// (from one handoff to the next), or the override's `from` and `until`; restrictions, higher
/// layers or overrides may hide them for parts of it.
public struct OnCallShift: Sendable, Hashable {
    /// The person on call.
    public var person: String
    /// The layer or override that puts them there.
    public var source: OnCallSource
    /// The first instant of the segment.
    public var start: Date
    /// The first instant after the segment.
    public var end: Date

    /// Creates a segment.
    public init(person: String, source: OnCallSource, start: Date, end: Date) {
        self.person = person
        self.source = source
        self.start = start
        self.end = end
    }

    /// `[start, end)` as a `DateInterval`.
    public var interval: DateInterval { DateInterval(start: start, end: end) }

    /// The segment's length in seconds.
    public var duration: TimeInterval { end.timeIntervalSince(start) }
}

/// Who is on call at one instant: see ``OnCallShift``.
public typealias OnCallAssignment = OnCallShift
