/// A recurring window of local time in which a layer is on call; outside every window of a
/// restricted layer the layer is empty and the layers below it show through.
///
/// A window opens on each of ``days`` at ``from`` and closes at ``until`` the same day, or, when
/// `until` is not after `from`, at `until` on the next day: a Friday window `17:00`–`09:00` runs
/// to Saturday 09:00, and `from == until` makes a whole local day. Both ends follow the same
/// daylight-saving rules as handoffs (see ``OnCallSchedule/instant(on:at:)``); a window whose end
/// resolves to an instant not after its start (possible only inside a skipped hour) is empty.
///
/// ```swift
/// // Office hours: Monday to Friday, 09:00 to 17:00 local time.
/// let office = try ScheduleRestriction(days: Weekday.weekdays, from: LocalTime(hour: 9), until: LocalTime(hour: 17))
/// ```
public struct ScheduleRestriction: Sendable, Hashable {
    /// The days on which a window opens (a window wrapping past midnight belongs to the day it opens).
    public let days: Set<Weekday>
    /// Local time the window opens.
    public let from: LocalTime
    /// Local time the window closes: the same day when later than ``from``, otherwise the next day.
    public let until: LocalTime

    /// Creates a restriction, or throws ``ScheduleError/noRestrictionDays`` when `days` is empty.
    public init(days: Set<Weekday> = Weekday.everyDay, from: LocalTime, until: LocalTime) throws(ScheduleError) {
        guard !days.isEmpty else { throw .noRestrictionDays }
        self.days = days
        self.from = from
        self.until = until
    }

    /// Whether the window wraps past midnight into the next day.
    public var wrapsPastMidnight: Bool { until <= from }
}
