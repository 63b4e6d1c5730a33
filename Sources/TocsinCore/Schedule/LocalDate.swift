/// A calendar date (proleptic Gregorian) without a time or a time zone: `2026-01-05`.
///
/// Dates are counted as whole civil days, so ``adding(days:)`` and ``days(since:)`` are exact
/// integer arithmetic whatever the daylight-saving rules of any zone.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1 to 9999.
    public let year: Int
    /// 1 to 12.
    public let month: Int
    /// 1 to the length of the month.
    public let day: Int

    /// Creates a date, or throws ``ScheduleError/invalidDate(year:month:day:)`` when it does not exist
    /// (for example 2026-02-29) or the year is outside 1 to 9999.
    public init(year: Int, month: Int, day: Int) throws(ScheduleError) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CivilDays.length(ofMonth: month, year: year)).contains(day)
        else { throw .invalidDate(year: year, month: month, day: day) }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `dayNumber` days after 1970-01-01 (negative before it).
    init(dayNumber: Int) {
        let civil = CivilDays.date(fromDayNumber: dayNumber)
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
    }

    /// Days since 1970-01-01 (negative before it).
    var dayNumber: Int { CivilDays.dayNumber(year: year, month: month, day: day) }

    /// The day of the week this date falls on.
    public var weekday: Weekday { Weekday(dayNumber: dayNumber) }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Whole days from `other` to this date: positive when this date is later.
    public func days(since other: LocalDate) -> Int { dayNumber - other.dayNumber }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.dayNumber < rhs.dayNumber }
}
