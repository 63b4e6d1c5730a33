import Foundation
import TocsinCore

/// Terse builders for the on-call schedule tests (force-unwrapping is fine here: the inputs are literals).
enum ScheduleFixture {
    static let london = "Europe/London"
    static let newYork = "America/New_York"
    static let sydney = "Australia/Sydney"
    static let zones = [london, newYork, sydney]

    /// An instant from an RFC 3339 literal such as `2026-03-29T01:30:00Z`.
    static func utc(_ text: String) -> Date {
        guard let date = RFC3339.parse(text) else { preconditionFailure("bad test instant \(text)") }
        return date
    }

    static func date(_ year: Int, _ month: Int, _ day: Int) -> LocalDate {
        try! LocalDate(year: year, month: month, day: day)
    }

    static func time(_ hour: Int, _ minute: Int = 0) -> LocalTime {
        try! LocalTime(hour: hour, minute: minute)
    }

    static func layer(
        _ name: String = "primary", people: [String], shift: ShiftLength = .daily, handoff: LocalTime = time(9),
        start: LocalDate, restrictions: [ScheduleRestriction] = []
    ) -> ScheduleLayer {
        try! ScheduleLayer(
            name: name, people: people, shift: shift, handoff: handoff, start: start, restrictions: restrictions)
    }

    /// A schedule named `ops` in `zone`.
    static func schedule(_ zone: String, _ layers: [ScheduleLayer]) -> OnCallSchedule {
        try! OnCallSchedule(name: "ops", timeZone: zone, layers: layers)
    }

    /// A schedule named `ops` in Europe/London.
    static func schedule(_ layers: [ScheduleLayer]) -> OnCallSchedule {
        schedule(london, layers)
    }

    static func restriction(_ days: Set<Weekday> = Weekday.everyDay, _ from: LocalTime, _ until: LocalTime)
        -> ScheduleRestriction
    {
        try! ScheduleRestriction(days: days, from: from, until: until)
    }

    /// Hours from `start` to `end`.
    static func hours(_ start: Date, _ end: Date) -> Double {
        end.timeIntervalSince(start) / 3600
    }

    /// A Gregorian calendar in `zone`, for checking wall-clock readings independently of the schedule code.
    static func calendar(_ zone: String) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar
    }

    /// `HH:MM` as a wall clock in `zone` reads at `instant`.
    static func wallClock(_ instant: Date, in zone: String) -> String {
        let parts = calendar(zone).dateComponents([.hour, .minute], from: instant)
        return String(format: "%02d:%02d", parts.hour!, parts.minute!)
    }

    /// The local date in `zone` at `instant`, read by Foundation's `Calendar`.
    static func localDate(_ instant: Date, in zone: String) -> LocalDate {
        let parts = calendar(zone).dateComponents([.year, .month, .day], from: instant)
        return date(parts.year!, parts.month!, parts.day!)
    }
}
