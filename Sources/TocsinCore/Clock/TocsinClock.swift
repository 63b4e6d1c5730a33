import Foundation
import Synchronization

/// The one source of time for Tocsin's decisions.
///
/// Production code uses ``WallClock``; tests, `tocsin policy simulate` and virtual drills use
/// ``ManualClock`` and move it explicitly. Nothing in `TocsinCore` calls `Date()`.
public protocol TocsinClock: Sendable {
    /// The current instant according to this clock.
    var now: Date { get }
}

/// The system's real-time clock.
public struct WallClock: TocsinClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to: deterministic time for tests and simulations.
public final class ManualClock: TocsinClock, Sendable {
    private let current: Mutex<Date>

    /// Creates a clock standing at `start`.
    public init(start: Date) {
        self.current = Mutex(start)
    }

    public var now: Date {
        current.withLock { $0 }
    }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`, forwards or backwards.
    public func set(to date: Date) {
        current.withLock { $0 = date }
    }
}
