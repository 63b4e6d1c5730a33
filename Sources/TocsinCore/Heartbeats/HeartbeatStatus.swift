import Foundation

/// What Tocsin knows of one heartbeat: the stored half of ``Heartbeat``.
public struct HeartbeatStatus: Sendable, Equatable {
    /// Where a heartbeat stands.
    public enum State: String, Sendable, CaseIterable, Codable {
        /// No beat has come yet since Tocsin started watching; it is missed all the same when the
        /// window passes (a sender that never beats is as silent as one that stopped).
        case waiting
        /// The last beat came within the window.
        case healthy
        /// The window passed without a beat: the `HeartbeatMissed` incident is open.
        case missed
    }

    public var name: String
    public var state: State
    /// The last beat, or when watching began (or began again after Tocsin was down): the window counts from here.
    public var watchingSince: Date
    public var lastBeatAt: Date?
    public var beats: Int
    /// When the heartbeat was found missed (its deadline), while it is missed.
    public var missedAt: Date?
    /// When a start of Tocsin gave the sender one more window (``HeartbeatMonitor/resume(_:of:lastChecked:now:)``).
    public var resumedAt: Date?

    public init(
        name: String, state: State, watchingSince: Date, lastBeatAt: Date? = nil, beats: Int = 0, missedAt: Date? = nil,
        resumedAt: Date? = nil
    ) {
        self.resumedAt = resumedAt
        self.name = name
        self.state = state
        self.watchingSince = watchingSince
        self.lastBeatAt = lastBeatAt
        self.beats = beats
        self.missedAt = missedAt
    }

    /// When `heartbeat` counts as missed, unless a beat comes first; nil once it is missed.
    public func deadline(of heartbeat: Heartbeat) -> Date? {
        state == .missed ? nil : watchingSince.addingTimeInterval(heartbeat.window)
    }
}
