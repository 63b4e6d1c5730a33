import Foundation
import TocsinCore

/// Small text helpers for the CLI's human output.
enum Formatting {
    /// `45s`, `12m`, `3h`, `2d` between `date` and `now`.
    static func age(of date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3600)h\(seconds % 3600 / 60 > 0 ? "\(seconds % 3600 / 60)m" : "")"
        default: return "\(seconds / 86_400)d\(seconds % 86_400 / 3600 > 0 ? "\(seconds % 86_400 / 3600)h" : "")"
        }
    }

    /// `2026-11-26 23:32:42Z`.
    static func time(_ date: Date) -> String {
        let text = RFC3339.format(date)
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ") + "Z"
    }

    /// `{alertname="DiskFull", instance="db1:9100"}`.
    static func labels(_ labels: [String: String]) -> String {
        "{" + labels.keys.sorted().map { "\($0)=\"\(labels[$0] ?? "")\"" }.joined(separator: ", ") + "}"
    }

    /// Prints pretty JSON of `value` to stdout.
    static func printJSON(_ value: some Encodable) throws {
        let data = try TocsinJSON.encoder(pretty: true).encode(value)
        print(String(decoding: data, as: UTF8.self))
    }
}
