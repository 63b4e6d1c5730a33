import Foundation

/// Durations as written in policy files: `0`, `30s`, `5m`, `1h30m`, `24h`, `2d`, `1w`.
///
/// Durations are absolute seconds: `24h` is 86,400 seconds whatever the daylight-saving calendar says.
public enum PolicyDuration {
    /// Parses `text`, or returns nil when it is not a duration.
    public static func parse(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" { return 0 }
        var total: TimeInterval = 0
        var number = ""
        var sawUnit = false
        for character in trimmed {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Double(number), let unit = unitSeconds[character] else { return nil }
            total += value * unit
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total.isFinite, total <= maximum else { return nil }
        return total
    }

    /// The longest duration accepted: 100 years.
    public static let maximum: TimeInterval = 100 * 365.25 * 86_400

    /// Prints seconds the way people write them: `0s`, `45s`, `5m`, `1h30m`, `1d12h`.
    public static func format(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return seconds < 0 ? "-forever" : "forever" }
        var remaining = Int(seconds.rounded())
        if remaining == 0 { return "0s" }
        let sign = remaining < 0 ? "-" : ""
        remaining = abs(remaining)
        var parts = ""
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where remaining >= size {
            parts += "\(remaining / size)\(unit)"
            remaining %= size
        }
        return sign + parts
    }

    private static let unitSeconds: [Character: TimeInterval] = [
        "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800,
    ]
}
