import Foundation

/// Who is on call at one instant, where that comes from, and the bounds of their turn.
///
/// For a layer, ``start`` and ``end`` bound the person's rotation turn in that layer (from one
/// handoff to the next); restrictions, higher layers or overrides may hide them for parts of it.
/// For an override they are the override's `from` and `until`. The resolved timeline, with every
/// such interruption applied, is ``OnCallSchedule/shifts(from:until:overrides:)``.
public struct OnCallAssignment: Sendable, Hashable {
    /// The person on call.
    public var person: String
    /// The layer or override that puts them there.
    public var source: OnCallSource
    /// The first instant of the turn (layer) or of the override.
    public var start: Date
    /// The first instant after the turn (layer) or the override.
    public var end: Date

    /// Creates an assignment.
    public init(person: String, source: OnCallSource, start: Date, end: Date) {
        self.person = person
        self.source = source
        self.start = start
        self.end = end
    }
}
