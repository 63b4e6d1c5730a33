import Foundation
import Testing
import TocsinDelivery
import TocsinTestSupport

/// Heartbeats with the real binaries: Alertmanager's always-firing Watchdog beating Tocsin, and a
/// beat's deadline surviving `kill -9`.
@Suite("Heartbeats, end to end")
struct HeartbeatEndToEndTests {
    /// Every alert pages alice; the heartbeat `am-watchdog` must beat every 2 s, with 2 s of grace.
    static func policies(webhookPort: Int, interval: String = "2s", grace: String = "2s") -> String {
        TestPolicies.pageAlice([#"webhook: "http://127.0.0.1:\#(webhookPort)/alice""#]) + """
            heartbeats:
              - name: am-watchdog
                interval: \(interval)
                grace: \(grace)
                labels: {severity: critical, team: sre}
                summary: "Alertmanager stopped sending the Watchdog"
            """
    }

    struct Listed: Decodable {
        struct Heartbeat: Decodable {
            let name: String
            let state: String
            let beats: Int
            let last_beat_at: String?
            let missed_at: String?
        }
        let heartbeats: [Heartbeat]
    }

    static func heartbeat(url: String, token: String) throws -> Listed.Heartbeat? {
        let outcome = try TocsinBinary.run(["heartbeats", "--json"], environment: ["TOCSIN_URL": url, "TOCSIN_TOKEN": token])
        return try JSONDecoder().decode(Listed.self, from: Data(outcome.stdout.utf8)).heartbeats.first
    }

    /// An RFC 3339 time as the API writes it, with or without fractional seconds.
    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    @Test("Alertmanager's Watchdog beats; stopping Alertmanager opens the incident within interval plus grace; restarting it resolves the incident")
    func alertmanagerWatchdog() throws {
        let world = try AlertmanagerEndToEndTests.World(
            policies: { Self.policies(webhookPort: $0) },
            routes: """
                  routes:
                    - matchers: ['alertname="Watchdog"']
                      receiver: tocsin-watchdog
                      group_wait: 0s
                      group_interval: 1s
                      repeat_interval: 1s
                """,
            receivers: { url in
                """
                  - name: tocsin-watchdog
                    webhook_configs:
                      - url: \(url)/api/v1/heartbeats/am-watchdog
                """
            })
        defer { world.tearDown() }
        let watchdog = ["alertname=Watchdog", "severity=none", "--annotation=summary=Always firing"]
        try world.amtool(watchdog)
        #expect(
            try eventually(within: 20) { (try Self.heartbeat(url: world.server.url, token: world.token)?.beats ?? 0) >= 3 },
            "no beats: \(world.alertmanager.log())")
        #expect(try Self.heartbeat(url: world.server.url, token: world.token)?.state == "healthy")
        #expect(try world.incidents().isEmpty, "the Watchdog goes to the heartbeat, not to ingest")

        world.alertmanager.stop()
        let stopped = Date()
        #expect(try eventually(within: 15) { try world.incidents().count == 1 }, "\(world.server.log())")
        let opened = Date()
        let incident = try #require(try world.incidents().first)
        #expect(incident["source"] as? String == "heartbeat")
        #expect(incident["severity"] as? String == "critical")
        let listed = try #require(try Self.heartbeat(url: world.server.url, token: world.token))
        #expect(listed.state == "missed")
        let lastBeat = try #require(Self.date(listed.last_beat_at))
        let missedAt = try #require(Self.date(listed.missed_at))
        #expect(abs(missedAt.timeIntervalSince(lastBeat) - 4) < 0.01, "missed at the last beat plus interval plus grace")
        #expect(opened.timeIntervalSince(stopped) <= 4 + 1.5, "opened within interval plus grace of the stop (and the polling)")
        #expect(world.webhook.waitForRecords(1, seconds: 10).contains { ($0["body"] as? String)?.contains("HeartbeatMissed") == true },
                "alice is paged about the missed heartbeat")

        try world.restartAlertmanager()
        try world.amtool(watchdog)  // Alertmanager keeps alerts in memory: Prometheus would send it again
        #expect(try eventually(within: 15) { (try world.incidents().first?["state"] as? String) == "resolved" }, "\(world.server.log())")
        #expect(try Self.heartbeat(url: world.server.url, token: world.token)?.state == "healthy")
        #expect(try world.incidents().count == 1)
    }

    @Test("a beat's deadline survives kill -9: the heartbeat is missed at the last beat plus its window, not a window after the restart")
    func deadlineSurvivesKill() throws {
        let directory = try TemporaryDirectory("tocsin-heartbeat")
        defer { directory.remove() }
        try TestPolicies.write(Self.policies(webhookPort: 9, interval: "8s", grace: "0s"), in: directory)
        let db = directory.path("tocsin.sqlite")
        let added = try TocsinBinary.run(["users", "add", "alice", "--email", "alice@example.com", "--db", db, "--create"])
        let token = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        let arguments = ["--db", db, "--config", directory.path("policies")]

        let first = try ServerProcess(arguments: arguments, logPath: directory.path("first.log"))
        let beat = try HTTPTransfer.perform(HTTPTransferRequest(method: "POST", url: first.url + "/api/v1/heartbeats/am-watchdog", body: []))
        #expect(beat.status == 200)
        _ = first.stop(signal: SIGKILL)

        let second = try ServerProcess(arguments: arguments, logPath: directory.path("second.log"))
        defer { _ = second.stop() }
        #expect(try eventually(within: 15) { try Self.heartbeat(url: second.url, token: token)?.state == "missed" }, "\(second.log())")
        let listed = try #require(try Self.heartbeat(url: second.url, token: token))
        let lastBeat = try #require(Self.date(listed.last_beat_at))
        let missedAt = try #require(Self.date(listed.missed_at))
        #expect(abs(missedAt.timeIntervalSince(lastBeat) - 8) < 0.01, "the deadline written before the kill held")
        #expect(listed.beats == 1)
    }
}
