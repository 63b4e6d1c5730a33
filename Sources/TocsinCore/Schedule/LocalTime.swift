/// A wall-clock time of day, to the minute, in a schedule's time zone: `09:00`, `17:30`.
///
/// How a local time that a daylight-saving change skips or repeats becomes an instant is
/// described on ``OnCallSchedule/instant(on:at:)``.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0 to 23.
    public let hour: Int
    /// 0 to 59.
    public let minute: Int

    /// Midnight, `00:00`.
    public static let midnight = LocalTime(validatedHour: 0, minute: 0)

    /// Creates a time of day, or throws ``ScheduleError/invalidTime(hour:minute:)`` outside 00:00 to 23:59.
    public init(hour: Int, minute: Int = 0) throws(ScheduleError) {
        guard (0...23).contains(hour), (0...59).contains(minute) else {
            throw .invalidTime(hour: hour, minute: minute)
        }
        self.init(validatedHour: hour, minute: minute)
    }

    private init(validatedHour hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// Seconds since local midnight.
    public var secondsSinceMidnight: Int { hour * 3600 + minute * 60 }

    /// `HH:MM`, zero-padded.
    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool {
        lhs.secondsSinceMidnight < rhs.secondsSinceMidnight
    }
}
