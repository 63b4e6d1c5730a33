import Foundation
import TocsinCore

/// One moment as the console shows it: machine-readable for the script (which shows it in the
/// viewer's time zone) and readable in UTC for a browser without scripts.
struct ConsoleTime: Sendable {
    /// RFC 3339, for `<time datetime>`.
    let iso: String
    /// `Thu 3 Dec 10:04 UTC`.
    let text: String

    init(_ date: Date) {
        iso = RFC3339.format(date)
        text = ReadableTime.format(date)
    }
}
