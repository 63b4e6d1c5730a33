import Foundation
import Logging
import Testing
import TocsinCore
import TocsinDelivery
import TocsinStore
import TocsinTestSupport

/// A lane (several pages to one receiver claimed together, sent one after another by one worker)
/// on the production dispatcher, a real SQLite file and a real receiver on 127.0.0.1.
@Suite("Delivery lanes")
struct DeliveryLaneTests {
    @Test("a lane starts no page after its time is up: what it did not start goes back, and a page cancelled meanwhile is never sent")
    func laneTimeAndCancellation() async throws {
        let directory = try TemporaryDirectory("tocsin-lanes")
        defer { directory.remove() }
        // Each page is held 400 ms: a lane of 4 with 600 ms sends two and gives back the others.
        let receiver = try PeerProcess(script: "webhook_receiver.py", arguments: ["--hang-all", "0.4"], logPath: directory.path("hooks.jsonl"))
        defer { receiver.stop() }
        let hook = "http://127.0.0.1:\(receiver.port)/alice"
        let configuration = TocsinConfiguration(
            people: [Person(name: "alice", webhooks: [hook])], routes: [Route(matchers: [], policy: "page")],
            policies: [EscalationPolicy(name: "page", steps: [.init(after: 0, notify: [.person("alice")])])])
        let test = try TestStore()
        defer { test.remove() }
        let now = Date()
        for number in 1...4 {
            _ = try await test.store.ingest(
                AlertBatch(
                    receiver: "r", groupKey: "g\(number)", status: .firing,
                    alerts: [Alert(status: .firing, labels: ["alertname": "Lane\(number)"], startsAt: now)]),
                configuration: configuration, now: now.addingTimeInterval(Double(number) / 1000))
        }
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let dispatcher = Dispatcher(
            store: test.store, clock: WallClock(),
            settings: DeliverySettings(publicURL: "http://127.0.0.1:9", perDestination: 1, laneLength: 4, laneDuration: 0.6),
            linkKey: Array("key".utf8), webhookSettings: { _ in WebhookSettings() }, logger: logger)
        let running = Task { try await dispatcher.run() }
        defer { running.cancel() }

        // The first page is on the wire: incidents 3 and 4 are acknowledged, their pages claimed in the lane.
        #expect(try await Self.poll { receiver.records().count >= 1 })
        for id: Int64 in [3, 4] {
            _ = try await test.store.acknowledge(id: id, by: Actor(name: "alice", channel: "cli"), note: nil, now: Date())
        }
        func pageStates() async throws -> [OutboxEntry.State] {
            try await test.store.deliveries(states: []).filter { $0.event == .triggered }.sorted { $0.incidentID < $1.incidentID }.map(\.state)
        }
        let settled = try await Self.poll { try await pageStates() == [.sent, .sent, .cancelled, .cancelled] }
        let states = try await pageStates()
        #expect(settled, "pages by incident: \(states)")

        let pagesReceived = receiver.records().filter { ($0["headers"] as? [String: String])?["X-Tocsin-Event"] == "triggered" }
        #expect(pagesReceived.count == 2, "only the two pages the lane started in time")
        for id: Int64 in [3, 4] {
            let page = try #require(try await test.store.notifications(incidentID: id).first { $0.event == .triggered })
            #expect(page.attempts == 0 && page.lastError == "cancelled: incident acknowledged by alice")
            #expect(try await test.store.deliveryAttempts(incidentID: id).filter { $0.outboxID == page.id }.isEmpty)
        }
    }

    /// Waits (without blocking a thread) until `condition` holds, 60 s at most (a bound, not a
    /// timing: the suites share two pool threads, and a cold first run is slow).
    static func poll(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }
}
