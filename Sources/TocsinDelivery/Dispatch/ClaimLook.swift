import Foundation
import TocsinCore
import TocsinStore

/// Whether a turn of the dispatcher's loop must look for notifications to claim, or may only
/// record the attempts that finished since the last turn.
///
/// A look reads the ready queue (a window of candidates in due order, then seeks by destination)
/// and the next due time. Every finished attempt wakes the loop, so that it is recorded at once;
/// during a burst to one receiver whose lanes are all in flight, each of those turns used to look,
/// and each look found nothing it could take. A look that claimed fewer lanes than it asked for
/// gives the same answer until something it depended on changes, and then the next turn looks:
/// - new work (an ingest, an escalation, a command, another instance) or a lane's end, which
///   frees its destination (``Dispatcher`` calls ``invalidate()`` for both);
/// - claims given back unstarted;
/// - the time reaching the next due time or lease expiry that look found;
/// - an attempt finished to a destination with room for another lane (a notification waiting
///   behind it, same incident and address, may go now), or one to be retried (its new due time is
///   not the one found);
/// - `longestHold` after the look, whatever happened: what a look cannot see (on PostgreSQL, rows
///   another instance held locked while it looked, or changed without announcing it) waits no
///   longer than that, and an idle loop still looks every time it wakes.
struct ClaimLook: Sendable {
    /// The longest a look's answer is kept.
    let longestHold: TimeInterval
    /// A short look whose answer still holds.
    private var holds = false
    /// The next due time or lease expiry that look found (nil: none).
    private(set) var nextDue: Date?
    /// When the look's answer stops holding, whatever happens meanwhile.
    private var expires = Date.distantPast

    init(longestHold: TimeInterval = 1) {
        self.longestHold = longestHold
    }

    /// Something the last look depended on changed: the next turn looks.
    mutating func invalidate() {
        holds = false
    }

    /// After a turn that looked at `now`: `short` when it claimed fewer lanes than it asked for.
    mutating func looked(short: Bool, nextDue: Date?, at now: Date) {
        holds = short
        self.nextDue = nextDue
        expires = now.addingTimeInterval(longestHold)
    }

    /// Whether the turn about to record `finished` and give back `released` must look.
    func mustLook(now: Date, finished: [CompletedAttempt], released: [OutboxEntry], destinationLimit: DestinationLimit) -> Bool {
        guard holds, released.isEmpty, now < expires else { return true }
        if let nextDue, now >= nextDue { return true }
        return finished.contains { attempt in
            if case .retry = attempt.outcome { return true }
            return destinationLimit.hasRoom(for: attempt.entry.destination)
        }
    }
}
