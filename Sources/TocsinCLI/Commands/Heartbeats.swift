import ArgumentParser
import Foundation
import TocsinAPI
import TocsinCore
import TocsinClient

/// `tocsin heartbeats`: each configured heartbeat, its last beat and its state.
struct Heartbeats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List heartbeats (dead man's switches): last beat, deadline and state.",
        discussion: """
            Heartbeats are configured under `heartbeats:` in the policy directory. A sender beats with
            POST /api/v1/heartbeats/NAME (any body; Alertmanager's Watchdog route works as it is). When
            no beat comes for interval + grace, the heartbeat is missed: an incident opens with the alert
            HeartbeatMissed and the heartbeat's labels, and the next beat resolves it.
            """
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let listing = try await client.client().get("/api/v1/heartbeats", as: HeartbeatListResource.self)
        if client.json {
            try Formatting.printJSON(listing)
            return
        }
        guard !listing.heartbeats.isEmpty else {
            print("No heartbeats configured (add heartbeats: to the policy directory).")
            return
        }
        var table = TextTable(header: ["NAME", "STATE", "EVERY", "GRACE", "LAST BEAT", "MISSED AT / DEADLINE", "BEATS"])
        for heartbeat in listing.heartbeats {
            let when = heartbeat.missedAt.map { "missed \(Formatting.time($0))" } ?? heartbeat.deadlineAt.map(Formatting.time) ?? ""
            table.rows.append([
                heartbeat.name, heartbeat.state.rawValue, PolicyDuration.format(heartbeat.intervalSeconds),
                PolicyDuration.format(heartbeat.graceSeconds), heartbeat.lastBeatAt.map(Formatting.time) ?? "never", when,
                "\(heartbeat.beats)",
            ])
        }
        print(table.render())
    }
}
