import Foundation

/// The decisions about heartbeats: which are missed now, what a beat changes, and what a restart
/// of Tocsin changes. The store applies them; no timer lives outside the database.
public enum HeartbeatMonitor {
    /// What to do for each configured heartbeat at `now`.
    public struct Check: Sendable, Equatable {
        /// Configured heartbeats the database has no row for yet: watching starts now.
        public var toWatch: [Heartbeat] = []
        /// Heartbeats whose window has passed without a beat, with their deadlines.
        public var missed: [(heartbeat: Heartbeat, deadline: Date)] = []
        /// The earliest deadline still ahead, if any.
        public var nextDeadline: Date?

        public var changesAnything: Bool { !toWatch.isEmpty || !missed.isEmpty }

        public static func == (lhs: Check, rhs: Check) -> Bool {
            lhs.toWatch == rhs.toWatch && lhs.nextDeadline == rhs.nextDeadline
                && lhs.missed.map(\.heartbeat) == rhs.missed.map(\.heartbeat)
                && lhs.missed.map(\.deadline) == rhs.missed.map(\.deadline)
        }
    }

    /// Compares the configured heartbeats with their stored statuses at `now`.
    public static func check(_ heartbeats: [Heartbeat], statuses: [String: HeartbeatStatus], now: Date) -> Check {
        var check = Check()
        for heartbeat in heartbeats {
            guard let status = statuses[heartbeat.name] else {
                check.toWatch.append(heartbeat)
                check.nextDeadline = earliest(check.nextDeadline, now.addingTimeInterval(heartbeat.window))
                continue
            }
            guard let deadline = status.deadline(of: heartbeat) else { continue }
            if deadline <= now {
                check.missed.append((heartbeat, deadline))
            } else {
                check.nextDeadline = earliest(check.nextDeadline, deadline)
            }
        }
        return check
    }

    /// The status after a beat at `now`, and whether it ends a missed heartbeat's incident.
    public static func beat(_ status: HeartbeatStatus?, name: String, now: Date) -> (status: HeartbeatStatus, recovered: Bool) {
        let recovered = status?.state == .missed
        let beats = (status?.beats ?? 0) + 1
        return (HeartbeatStatus(name: name, state: .healthy, watchingSince: now, lastBeatAt: now, beats: beats), recovered)
    }

    /// The status at Tocsin's start, `now`, when the heartbeats were last checked at `lastChecked`
    /// (nil when that is not known), or nil to keep it as it is.
    ///
    /// Tocsin cannot tell a sender that stopped from beats it refused while it was down, so:
    /// - a deadline still ahead stays (a restart is not a beat, and not a missed beat);
    /// - a heartbeat whose beat was already late while Tocsin was running (expected, one
    ///   interval after the last beat or after watching began, before the last check) stays: it
    ///   is missed at once;
    /// - a heartbeat whose beat fell due while Tocsin was down watches afresh from `now`: the
    ///   sender has one more window to beat, after which it is missed as usual. Only once per
    ///   silence: a Tocsin that keeps crashing does not keep giving a dead sender more time.
    public static func resume(
        _ status: HeartbeatStatus, of heartbeat: Heartbeat, lastChecked: Date?, now: Date
    ) -> HeartbeatStatus? {
        guard let deadline = status.deadline(of: heartbeat), deadline <= now else { return nil }
        if let resumedAt = status.resumedAt, status.lastBeatAt.map({ resumedAt > $0 }) ?? true { return nil }
        let expected = (status.lastBeatAt ?? status.watchingSince).addingTimeInterval(heartbeat.interval)
        if let lastChecked, expected <= lastChecked { return nil }
        var resumed = status
        resumed.watchingSince = now
        resumed.resumedAt = now
        return resumed
    }

    private static func earliest(_ a: Date?, _ b: Date) -> Date { a.map { min($0, b) } ?? b }
}
