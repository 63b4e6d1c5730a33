import Foundation
import Synchronization

/// A value computed at most once per `maxAge` (concurrent callers may each compute it once the
/// age is up; that is harmless). Keeps unauthenticated, unthrottled endpoints such as `/metrics`
/// and `/readyz` from turning a flood of requests into a flood of database work.
final class RecentValue<Value: Sendable>: Sendable {
    private let maxAge: Duration
    private let cached = Mutex<(value: Value, at: ContinuousClock.Instant)?>(nil)

    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    func value(_ compute: () async throws -> Value) async rethrows -> Value {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), now - cached.at < maxAge {
            return cached.value
        }
        let fresh = try await compute()
        cached.withLock { $0 = (fresh, now) }
        return fresh
    }
}
