/// A day of the week, Monday first (ISO 8601 order).
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case monday = 1
    case tuesday, wednesday, thursday, friday, saturday, sunday

    /// Monday to Friday.
    public static let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
    /// Saturday and Sunday.
    public static let weekend: Set<Weekday> = [.saturday, .sunday]
    /// Every day of the week.
    public static let everyDay: Set<Weekday> = Set(allCases)

    /// The weekday of civil day `dayNumber` (day 0, 1970-01-01, was a Thursday).
    init(dayNumber: Int) {
        let index = ((dayNumber + 3) % 7 + 7) % 7
        self = Self.allCases[index]
    }

    /// Parses `mon`…`sun` or the full English name, in any letter case. Returns nil otherwise.
    public static func parse(_ text: String) -> Weekday? {
        let lowered = text.lowercased()
        return allCases.first { $0.description == lowered || $0.abbreviation == lowered }
    }

    /// `mon`, `tue`, … as written in schedule files.
    public var abbreviation: String { String(description.prefix(3)) }

    /// `monday`, `tuesday`, …
    public var description: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}
