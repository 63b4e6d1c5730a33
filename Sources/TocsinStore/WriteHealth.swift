import Foundation
import Synchronization

/// Whether the database's writes are succeeding, as the writes themselves found: the last write
/// that failed for want of the database (disk full, I/O error, read-only file, locked), unless a
/// write has succeeded since. `/readyz` reports it, so a load balancer is not told all is well
/// while nothing can be stored.
public final class WriteHealth: Sendable {
    /// A write that failed, and why.
    public struct Failure: Sendable, Equatable {
        /// When, on the wall clock (for people to read).
        public var at: Date
        /// When, on the monotonic clock (to know how long ago, whatever the wall clock does).
        public var instant: ContinuousClock.Instant
        public var reason: String

        /// How long ago the write failed.
        public var age: Duration { ContinuousClock.now - instant }
    }

    private let state = LockedFailure()

    /// The last failed write, when no write has succeeded since.
    public var lastFailure: Failure? { state.value }

    func succeeded() {
        state.set(nil)
    }

    func failed(_ error: StoreError) {
        switch error {
        case .busy, .unavailable, .database, .cannotOpen:
            StoreMetrics.writeFailures.increment()
            state.set(Failure(at: Date(), instant: .now, reason: error.description))
        case .notFound, .conflict, .constraint, .databaseNewerThanBinary:
            break  // the caller's request was refused; the database wrote fine
        }
    }
}

/// One optional failure behind a lock.
private final class LockedFailure: Sendable {
    private let failure = Mutex<WriteHealth.Failure?>(nil)

    var value: WriteHealth.Failure? { failure.withLock { $0 } }

    func set(_ value: WriteHealth.Failure?) {
        failure.withLock { $0 = value }
    }
}
