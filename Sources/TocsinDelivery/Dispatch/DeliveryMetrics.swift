import Foundation
import Metrics
import TocsinCore

/// What the dispatcher measures: each attempt's result and duration, by medium.
enum DeliveryMetrics {
    /// Counts one attempt as `sent`, `retry` or `dead`, and records how long it took.
    static func record(medium: Medium, outcome: DeliveryPolicy.Outcome, seconds: TimeInterval) {
        let result =
            switch outcome {
            case .sent: "sent"
            case .retry: "retry"
            case .dead: "dead"
            }
        Counter(label: "tocsin_notifications_total", dimensions: [("medium", medium.rawValue), ("result", result)]).increment()
        Timer(label: "tocsin_delivery_duration_seconds", dimensions: [("medium", medium.rawValue)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(max(0, seconds) * 1_000_000_000))
    }

    /// Counts a text or call held back by the phone rate limit (`held`: not sent; `notice`: sent
    /// as the one text that says so).
    static func phoneRateLimited(_ what: String) {
        Counter(label: "tocsin_phone_rate_limited_total", dimensions: [("result", what)]).increment()
    }
}
