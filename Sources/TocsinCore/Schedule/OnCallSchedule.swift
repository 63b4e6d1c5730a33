import Foundation

/// Who is on call when: layers of rotations in one time zone, with overrides on top.
///
/// Layers are listed bottom first: where a later layer has someone on call it covers the layers
/// before it; where it is empty (before its first turn, or outside its restriction windows) the
/// ones below show through. Overrides win over every layer.
///
/// All arithmetic is pure and O(layers + overrides) per instant: the turn holding an instant is
/// computed from the number of local days (or seconds) since the layer started, never by walking
/// turn by turn, so a schedule that started years ago costs the same as one that started today.
///
/// ## Daylight saving
///
/// Local dates and times are read in ``timeZone``:
/// - `.daily` and `.weekly` turns are calendar turns: every handoff is at the layer's local
///   handoff time, so a 09:00 Europe/London handoff stays 09:00 across both changes and a turn
///   that spans one lasts 23 or 25 hours (daily), 167 or 169 hours (weekly).
/// - A local time that the spring change skips is read with the UTC offset in force before the
///   change, i.e. pushed forward by the length of the gap: a 01:30 handoff on the UK spring day
///   (01:00 GMT becomes 02:00 BST) happens at 01:30 UTC, which reads 02:30 BST; a 02:30 handoff on
///   the US spring day in New York happens at 03:30 EDT. Other days keep the written time.
/// - A local time that the autumn change repeats happens at its first occurrence (still on summer
///   time): 01:30 on the UK autumn day is 00:30 UTC (01:30 BST), not 01:30 UTC.
/// - `.duration` turns are absolute elapsed time from the first handoff instant: daylight saving
///   never moves them (their local time shifts by the change instead).
/// - Restriction windows open and close by the same rules as handoffs.
///
/// See ``instant(on:at:)`` for the conversion itself.
public struct OnCallSchedule: Sendable, Equatable {
    /// The schedule's name; overrides name it in ``ScheduleOverride/scheduleName``.
    public let name: String
    /// The IANA time zone identifier handoffs and restrictions are read in, e.g. `Europe/London`.
    public let timeZone: String
    /// Rotations, bottom first: a later layer covers the earlier ones where it has someone on call.
    public let layers: [ScheduleLayer]

    let calendar: ZoneCalendar

    /// Creates a schedule, or throws when the name is empty, the time zone is unknown, or two
    /// layers share a name.
    public init(name: String, timeZone: String, layers: [ScheduleLayer]) throws(ScheduleError) {
        guard !name.isEmpty else { throw .emptyScheduleName }
        guard let zone = TimeZone(identifier: timeZone) else { throw .unknownTimeZone(timeZone) }
        var names: Set<String> = []
        for layer in layers where !names.insert(layer.name).inserted {
            throw .duplicateLayerName(layer.name)
        }
        self.name = name
        self.timeZone = timeZone
        self.layers = layers
        self.calendar = ZoneCalendar(zone: zone)
    }

    /// The instant at which the schedule's time zone reads `time` on `date`.
    ///
    /// A local time that exists once maps to that instant. One the clocks skip (spring forward) is
    /// read with the offset in force before the change, so it lands the gap's length later on the
    /// wall clock (UK: 01:30 on the spring day → 01:30 UTC = 02:30 BST). One the clocks repeat
    /// (fall back) maps to its first occurrence (UK: 01:30 on the autumn day → 00:30 UTC = 01:30 BST).
    public func instant(on date: LocalDate, at time: LocalTime) -> Date {
        calendar.instant(day: date.dayNumber, second: time.secondsSinceMidnight)
    }

    /// The local date in the schedule's time zone at `instant`.
    public func localDate(of instant: Date) -> LocalDate {
        LocalDate(dayNumber: calendar.local(instant).day)
    }
}
