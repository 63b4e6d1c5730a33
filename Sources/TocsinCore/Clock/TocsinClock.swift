import Foundation

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
public final class ManualClock: TocsinClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// Creates a clock standing at `start`.
    public init(start: Date) {
        self.current = start
    }

    public var now: Date {
        lock.withLock { current }
    }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`, forwards or backwards.
    public func set(to date: Date) {
        lock.withLock { current = date }
    }
}
