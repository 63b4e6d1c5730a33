import Foundation

/// What happened when Tocsin tried to deliver a notification.
public enum DeliveryResult: Sendable, Equatable {
    /// The receiver answered with this HTTP status (SMTP: 250 when the server accepted the mail).
    case answered(status: Int, retryAfter: TimeInterval?, detail: String?)
    /// No answer: connection refused, timeout, TLS failure, …
    case failed(String)

    /// Whether the receiver took it (a 2xx).
    public var isAccepted: Bool {
        if case .answered(let status, _, _) = self { (200..<300).contains(status) } else { false }
    }
}

/// Decides what follows a delivery attempt: sent, retry later (exponential backoff with jitter,
/// honouring `Retry-After`), or dead.
///
/// 2xx is sent. 408, 429, 5xx and transport failures are retried until `maxAttempts` attempts
/// or `maxAge` since the notification was queued; any other status is dead at once, with the
/// reason kept. With the defaults (100 attempts, backoff capped at 5 minutes, 6 hours) the age is
/// what ends the retries: a receiver down for hours still gets its pages when it is back.
public struct DeliveryPolicy: Sendable, Equatable {
    /// The outcome of one attempt.
    public enum Outcome: Sendable, Equatable {
        case sent
        case retry(at: Date, reason: String)
        case dead(reason: String)
    }

    public var maxAttempts: Int
    public var maxAge: TimeInterval
    /// The first retry waits about this long; each later one twice as long, up to `maxBackoff`.
    public var initialBackoff: TimeInterval
    public var maxBackoff: TimeInterval
    /// ± this fraction of the backoff is added at random, so retries from many rows spread out.
    public var jitter: Double

    public init(
        maxAttempts: Int = 100, maxAge: TimeInterval = 6 * 3600, initialBackoff: TimeInterval = 1,
        maxBackoff: TimeInterval = 300, jitter: Double = 0.2
    ) {
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = jitter
    }

    /// Decides after attempt number `attempt` (1 for the first) of a notification queued at `queuedAt`.
    /// `random` is a number in 0..<1 (injected, so tests are deterministic).
    public func outcome(
        of result: DeliveryResult, attempt: Int, queuedAt: Date, now: Date, random: Double
    ) -> Outcome {
        let reason: String
        var retryAfter: TimeInterval?
        switch result {
        case .answered(let status, let after, let detail):
            if result.isAccepted { return .sent }
            let described = "HTTP \(status)" + (detail.map { ": \($0)" } ?? "")
            guard status == 408 || status == 429 || status >= 500 else {
                return .dead(reason: "\(described) (not retried: the receiver refused the notification)")
            }
            reason = described
            retryAfter = after
        case .failed(let message):
            reason = message
        }
        if attempt >= maxAttempts {
            return .dead(reason: "\(reason) (gave up after \(attempt) attempts)")
        }
        let backoff = min(initialBackoff * pow(2, Double(max(attempt - 1, 0))), maxBackoff)
        var delay = backoff * (1 + jitter * (2 * random - 1))
        if let retryAfter {
            delay = max(delay, min(retryAfter, maxBackoff * 4))
        }
        let next = now.addingTimeInterval(delay)
        if next.timeIntervalSince(queuedAt) > maxAge {
            return .dead(reason: "\(reason) (gave up: older than \(PolicyDuration.format(maxAge)))")
        }
        return .retry(at: next, reason: reason)
    }

    /// Reads a `Retry-After` header: delay-seconds, or an HTTP date (IMF-fixdate).
    public static func retryAfter(_ header: String?, now: Date) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = TimeInterval(header), seconds >= 0 { return seconds }
        return MailDate.parseIMF(header).map { max(0, $0.timeIntervalSince(now)) }
    }
}
