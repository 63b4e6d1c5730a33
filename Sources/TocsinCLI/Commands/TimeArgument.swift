import ArgumentParser
import Foundation
import TocsinCore

/// A point in time on the command line: `now`, an offset from now (`+8h`, `-30m`), or an
/// RFC 3339 time (`2026-12-24T18:00:00+01:00`).
struct TimeArgument: ExpressibleByArgument, Sendable {
    let date: Date

    init(date: Date) {
        self.date = date
    }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text == "now" {
            date = Date()
        } else if let sign = text.first, sign == "+" || sign == "-", let seconds = PolicyDuration.parse(String(text.dropFirst())) {
            date = Date().addingTimeInterval(sign == "+" ? seconds : -seconds)
        } else if let parsed = RFC3339.parse(text) {
            date = parsed
        } else {
            return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .list(["now", "+1h", "+8h", "+1d"]) }

    /// As the API takes it.
    var rfc3339: String { RFC3339.format(date) }
}
