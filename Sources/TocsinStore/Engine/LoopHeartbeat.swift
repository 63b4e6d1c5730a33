import Foundation
import Synchronization

/// When a background loop (the escalator, the dispatcher) last completed a pass. `/readyz`
/// reports the loop as stuck once that is longer ago than `bound`: each loop looks at the
/// database at least every minute, so a quiet loop still beats.
public final class LoopHeartbeat: Sendable {
    public let name: String
    public let bound: TimeInterval
    private let last = Mutex<Date?>(nil)

    public init(name: String, bound: TimeInterval) {
        self.name = name
        self.bound = bound
    }

    /// A pass completed at `now`.
    public func beat(at now: Date) {
        last.withLock { $0 = now }
    }

    /// Why the loop is not healthy at `now`, or nil when it is.
    public func problem(now: Date) -> String? {
        guard let last = last.withLock({ $0 }) else { return "\(name) has not completed a pass yet" }
        let age = now.timeIntervalSince(last)
        return age > bound ? "\(name) last completed a pass \(Int(age)) s ago (bound \(Int(bound)) s)" : nil
    }
}
