extension LocalDate {
    /// Parses an ISO 8601 calendar date, `YYYY-MM-DD` (four-digit year, two-digit month and day).
    /// Returns nil for anything else or for a date that does not exist.
    public static func parse(_ text: String) -> LocalDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = ScheduleDigits.value(parts[0]), let month = ScheduleDigits.value(parts[1]),
            let day = ScheduleDigits.value(parts[2])
        else { return nil }
        return try? LocalDate(year: year, month: month, day: day)
    }
}
