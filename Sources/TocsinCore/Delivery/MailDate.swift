import Foundation

/// Dates in the Internet Message Format (RFC 5322 `Date:` and HTTP's IMF-fixdate):
/// `Fri, 27 Nov 2026 01:26:19 +0000`.
public enum MailDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Fri, 27 Nov 2026 01:26:19 +0000` (UTC).
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondsOfDay = seconds - days * 86_400
        let iso = RFC3339.format(Date(timeIntervalSince1970: Double(days * 86_400)))
        let parts = iso.prefix(10).split(separator: "-").compactMap { Int($0) }
        let weekday = weekdays[((days % 7) + 7) % 7]
        let time = [secondsOfDay / 3600, secondsOfDay % 3600 / 60, secondsOfDay % 60]
            .map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        let day = parts[2] < 10 ? "0\(parts[2])" : "\(parts[2])"
        return "\(weekday), \(day) \(months[parts[1] - 1]) \(parts[0]) \(time) +0000"
    }

    /// Parses `Sun, 06 Nov 1994 08:49:37 GMT` (HTTP) or `… +0000`.
    public static func parseIMF(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, let day = Int(fields[1]), let month = months.firstIndex(of: String(fields[2])),
            let year = Int(fields[3])
        else { return nil }
        let zone = fields[5] == "GMT" || fields[5] == "UTC" ? "Z" : String(fields[5].prefix(3) + ":" + fields[5].suffix(2))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return RFC3339.parse("\(year)-\(two(month + 1))-\(two(day))T\(fields[4])\(zone)")
    }
}
