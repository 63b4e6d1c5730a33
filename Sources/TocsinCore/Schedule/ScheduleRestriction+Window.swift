import Foundation

/// One opening of a restriction: `[start, end)`.
struct RestrictionWindow: Sendable, Hashable {
    var start: Date
    var end: Date

    func contains(_ instant: Date) -> Bool { start <= instant && instant < end }
}

extension ScheduleRestriction {
    /// The window opening on local civil day `day`, or nil when the restriction does not apply on
    /// that weekday or the window is empty once daylight saving has resolved its ends.
    func window(openingOn day: Int, in calendar: ZoneCalendar) -> RestrictionWindow? {
        guard days.contains(Weekday(dayNumber: day)) else { return nil }
        let start = calendar.instant(day: day, second: from.secondsSinceMidnight)
        let end = calendar.instant(day: day + (wrapsPastMidnight ? 1 : 0), second: until.secondsSinceMidnight)
        return start < end ? RestrictionWindow(start: start, end: end) : nil
    }
}
