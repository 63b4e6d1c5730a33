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

    /// `text` safe to print on a terminal: every C0 and C1 control character (and DEL), which alert
    /// text could use to move the cursor, retitle the window or write the clipboard, is shown as a
    /// visible escape (`\e`, `\n`, `\x07`, `\u{9B}`). JSON output is never passed through this.
    static func terminalSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var safe = ""
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                safe.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: safe += "\\e"
            case 0x0A: safe += "\\n"
            case 0x0D: safe += "\\r"
            case 0x09: safe += "\\t"
            case ..<0x80: safe += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
            default: safe += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return safe
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
