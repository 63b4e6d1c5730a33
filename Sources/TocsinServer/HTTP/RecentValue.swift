import Foundation

/// A value computed at most once per `maxAge` (concurrent callers may each compute it once the
/// age is up; that is harmless). Keeps unauthenticated, unthrottled endpoints such as `/metrics`
/// and `/readyz` from turning a flood of requests into a flood of database work.
final class RecentValue<Value: Sendable>: @unchecked Sendable {
    private let maxAge: Duration
    private let lock = NSLock()
    private var cached: (value: Value, at: ContinuousClock.Instant)?

    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    func value(_ compute: () async throws -> Value) async rethrows -> Value {
        let now = ContinuousClock.now
        if let cached = lock.withLock({ cached }), now - cached.at < maxAge {
            return cached.value
        }
        let fresh = try await compute()
        lock.withLock { cached = (fresh, now) }
        return fresh
    }
}
