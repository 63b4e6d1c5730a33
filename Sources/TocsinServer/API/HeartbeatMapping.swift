import Foundation
import TocsinAPI
import TocsinCore

extension HeartbeatResource {
    /// A configured heartbeat with its stored status (none until the escalator first looks at it:
    /// then it is `waiting`, its deadline not yet set).
    init(_ heartbeat: Heartbeat, status: HeartbeatStatus?) {
        self.init(
            name: heartbeat.name, state: status?.state ?? .waiting, intervalSeconds: heartbeat.interval,
            graceSeconds: heartbeat.grace, labels: heartbeat.alertLabels, lastBeatAt: status?.lastBeatAt,
            deadlineAt: status?.deadline(of: heartbeat), missedAt: status?.missedAt, beats: status?.beats ?? 0)
    }
}

extension HeartbeatListResource {
    init(_ heartbeats: [Heartbeat], statuses: [String: HeartbeatStatus]) {
        self.init(heartbeats: heartbeats.sorted { $0.name < $1.name }.map { HeartbeatResource($0, status: statuses[$0.name]) })
    }
}
