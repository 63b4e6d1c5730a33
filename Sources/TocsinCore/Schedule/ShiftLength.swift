import Foundation

/// How long one person's turn in a layer's rotation lasts.
///
/// - ``daily`` and ``weekly`` are calendar lengths in the schedule's time zone: every handoff is at
///   the layer's local handoff time, so a turn that crosses a daylight-saving change lasts 23 or 25
///   hours (daily) or 167 or 169 hours (weekly).
/// - ``duration(_:)`` is absolute elapsed time counted from the layer's first handoff instant:
///   daylight saving never moves these handoffs, so their local time drifts by the change instead.
public enum ShiftLength: Sendable, Hashable, CustomStringConvertible {
    /// One local calendar day: handoff every day at the handoff time.
    case daily
    /// Seven local calendar days: handoff every week on the start date's weekday at the handoff time.
    case weekly
    /// A fixed number of seconds (at least ``minimumDuration``), e.g. 12 hours.
    case duration(TimeInterval)

    /// The shortest `.duration` a layer accepts: one minute.
    public static let minimumDuration: TimeInterval = 60

    /// Parses `daily`, `weekly`, or a duration as ``PolicyDuration`` reads it (`12h`, `3d`, `1h30m`).
    ///
    /// A duration is absolute time: `7d` is 604,800 seconds, unlike `weekly`, which follows the
    /// local calendar across daylight-saving changes. Returns nil for anything else, and for
    /// durations shorter than ``minimumDuration``.
    public static func parse(_ text: String) -> ShiftLength? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch trimmed {
        case "daily": return .daily
        case "weekly": return .weekly
        default:
            guard let seconds = PolicyDuration.parse(trimmed), seconds.isFinite, seconds >= minimumDuration else {
                return nil
            }
            return .duration(seconds)
        }
    }

    /// `daily`, `weekly`, or the duration as policy files write it (`12h`).
    public var description: String {
        switch self {
        case .daily: "daily"
        case .weekly: "weekly"
        case .duration(let seconds): PolicyDuration.format(seconds)
        }
    }

    /// Local calendar days per turn for `.daily` and `.weekly`; nil for `.duration`.
    var calendarDays: Int? {
        switch self {
        case .daily: 1
        case .weekly: 7
        case .duration: nil
        }
    }
}
