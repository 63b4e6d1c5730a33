import Foundation

/// Times as people read them on a page: `Thu 3 Dec 10:04 UTC`, in a given time zone.
public enum ReadableTime {
    /// UTC: the zone of a page whose recipient named none.
    public static let utc = TimeZone(identifier: "UTC") ?? .gmt

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Thu 3 Dec 10:04 UTC`; with `zoneName` false, without the zone's abbreviation.
    public static func format(_ date: Date, in zone: TimeZone = TimeZone(identifier: "UTC") ?? .gmt, zoneName: Bool = true) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.weekday, .day, .month, .hour, .minute], from: date)
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        func two(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        let text = "\(weekday) \(parts.day ?? 1) \(month) \(two(parts.hour)):\(two(parts.minute))"
        guard zoneName else { return text }
        let abbreviation = zone.secondsFromGMT(for: date) == 0 && ["UTC", "GMT"].contains(zone.identifier)
            ? "UTC" : (zone.abbreviation(for: date) ?? zone.identifier)
        return text + " " + abbreviation
    }

    /// How long ago or ahead, roughly: `45s`, `12m`, `3h 5m`, `2d 4h`.
    public static func span(_ seconds: TimeInterval) -> String {
        let total = Int(abs(seconds).rounded(.down))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m"
        case ..<86_400: return "\(total / 3600)h" + (total % 3600 / 60 > 0 ? " \(total % 3600 / 60)m" : "")
        default: return "\(total / 86_400)d" + (total % 86_400 / 3600 > 0 ? " \(total % 86_400 / 3600)h" : "")
        }
    }
}
