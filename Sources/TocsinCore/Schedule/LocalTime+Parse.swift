import Foundation

extension LocalTime {
    /// Parses `HH:MM` (24-hour clock, one or two digits for the hour, two for the minute): `09:00`, `9:30`,
    /// `23:59`. Returns nil for anything else, including `24:00`.
    public static func parse(_ text: String) -> LocalTime? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            let hour = ScheduleDigits.value(parts[0]), let minute = ScheduleDigits.value(parts[1])
        else { return nil }
        return try? LocalTime(hour: hour, minute: minute)
    }
}
