import Foundation
import Testing
import TocsinCore

/// The parsers for the strings the schedule configuration reader hands over.
@Suite("On-call schedule values from configuration text")
struct OnCallScheduleParseTests {
    @Test("shift lengths: daily, weekly, or an absolute duration")
    func shiftLengths() {
        #expect(ShiftLength.parse("daily") == .daily)
        #expect(ShiftLength.parse(" Weekly ") == .weekly)
        #expect(ShiftLength.parse("12h") == .duration(12 * 3600))
        #expect(ShiftLength.parse("3d") == .duration(3 * 86_400))
        #expect(ShiftLength.parse("1h30m") == .duration(5400))
        #expect(ShiftLength.parse("1w") == .duration(604_800))
        #expect(ShiftLength.duration(43_200).description == "12h")
        #expect(ShiftLength.weekly.description == "weekly")
    }

    @Test("shift lengths that are not", arguments: ["", "monthly", "0", "30s", "12", "h", "-1h", "1.5h", "daily!"])
    func badShiftLengths(text: String) {
        #expect(ShiftLength.parse(text) == nil)
    }

    @Test("local times on the 24-hour clock")
    func localTimes() throws {
        #expect(LocalTime.parse("09:00") == (try LocalTime(hour: 9)))
        #expect(LocalTime.parse("9:30") == (try LocalTime(hour: 9, minute: 30)))
        #expect(LocalTime.parse("23:59") == (try LocalTime(hour: 23, minute: 59)))
        #expect(LocalTime.parse("00:00") == LocalTime.midnight)
        #expect(try LocalTime(hour: 7, minute: 5).description == "07:05")
    }

    @Test(
        "local times that are not",
        arguments: ["", "9", "24:00", "12:60", "12:5", "123:00", "-1:00", "12:00:00", "ab:cd", "١٢:٠٠"])
    func badLocalTimes(text: String) {
        #expect(LocalTime.parse(text) == nil)
    }

    @Test("local dates in ISO 8601 form")
    func localDates() throws {
        #expect(LocalDate.parse("2026-01-05") == (try LocalDate(year: 2026, month: 1, day: 5)))
        #expect(LocalDate.parse("2024-02-29") == (try LocalDate(year: 2024, month: 2, day: 29)))
        #expect(LocalDate.parse("2026-01-05")?.description == "2026-01-05")
    }

    @Test(
        "local dates that are not",
        arguments: [
            "", "2026-1-5", "2026-02-29", "2026-13-01", "2026-00-10", "26-01-05", "2026/01/05", "2026-01-05T00:00",
        ])
    func badLocalDates(text: String) {
        #expect(LocalDate.parse(text) == nil)
    }

    @Test("weekday names, short or long, in any case")
    func weekdays() {
        #expect(Weekday.parse("mon") == .monday)
        #expect(Weekday.parse("Sun") == .sunday)
        #expect(Weekday.parse("WEDNESDAY") == .wednesday)
        #expect(Weekday.parse("thurs") == nil)
        #expect(Weekday.parse("") == nil)
        #expect(Weekday.allCases.map(\.abbreviation) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    }
}
