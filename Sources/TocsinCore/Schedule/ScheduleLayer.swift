/// One rotation of people in an ``OnCallSchedule``.
///
/// The first turn begins at the local time ``handoff`` on the local date ``start`` (in the
/// schedule's time zone) with `people[0]`; each following turn, of length ``shift``, goes to the
/// next person, wrapping round to `people[0]` after the last. Before the first turn the layer is
/// empty. With ``restrictions`` the layer is on call only inside their windows: its turns keep
/// rotating outside them, but it is empty there and lower layers show through.
///
/// ```swift
/// let primary = try ScheduleLayer(
///     name: "primary", people: ["ana", "bo", "cy"], shift: .weekly,
///     handoff: LocalTime(hour: 9), start: LocalDate(year: 2026, month: 1, day: 5))
/// ```
public struct ScheduleLayer: Sendable, Hashable {
    /// Unique within its schedule; names the source of an assignment.
    public let name: String
    /// The rotation, in order. A name may appear more than once.
    public let people: [String]
    /// How long each turn lasts.
    public let shift: ShiftLength
    /// Local time of day at which turns hand over (for `.duration` shifts only the first one).
    public let handoff: LocalTime
    /// Local date of the first turn.
    public let start: LocalDate
    /// Windows in which the layer is on call; empty means always.
    public let restrictions: [ScheduleRestriction]

    /// Creates a layer, or throws when the name is empty, the rotation is empty or names an
    /// empty person, or a `.duration` shift is not a finite length of at least ``ShiftLength/minimumDuration``.
    public init(
        name: String, people: [String], shift: ShiftLength, handoff: LocalTime, start: LocalDate,
        restrictions: [ScheduleRestriction] = []
    ) throws(ScheduleError) {
        guard !name.isEmpty else { throw .emptyLayerName }
        guard !people.isEmpty else { throw .noPeople(layer: name) }
        guard !people.contains(where: \.isEmpty) else { throw .emptyPersonName(layer: name) }
        if case .duration(let seconds) = shift, !(seconds.isFinite && seconds >= ShiftLength.minimumDuration) {
            throw .invalidShiftDuration(seconds)
        }
        self.name = name
        self.people = people
        self.shift = shift
        self.handoff = handoff
        self.start = start
        self.restrictions = restrictions
    }
}
