import Foundation

/// One segment of a schedule's resolved timeline: one person on call from one source over
/// `[start, end)`, after layers, restrictions and overrides have been applied.
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
