import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinAPI
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Heartbeats through the real server on the shipped policies, with a manual clock: missed,
/// paged, recovered, listed, and refused when unknown or unauthenticated.
@Suite("Heartbeats through the server")
struct HeartbeatTests {
    static let watchdog = Heartbeat(
        name: "prometheus-eu1", interval: 60, grace: 120, labels: ["severity": "critical", "team": "sre"],
        summary: "Prometheus eu1 stopped sending its Watchdog")

    static var policies: TocsinConfiguration {
        var configuration = EscalationTests.shipped
        configuration.heartbeats = [watchdog]
        return configuration
    }

    func beat(_ server: LiveServer, _ name: String = "prometheus-eu1", token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await server.client.execute(
            uri: "/api/v1/heartbeats/\(name)", method: .post, headers: headers, body: .init(string: #"{"receiver":"tocsin-watchdog"}"#))
    }

    func listed(_ server: LiveServer) async throws -> HeartbeatResource? {
        try await server.api(.get, "/api/v1/heartbeats").decode(HeartbeatListResource.self).heartbeats.first
    }

    @Test("a missed heartbeat opens a critical incident that pages at once; the next beat resolves it")
    func missedThenRecovered() async throws {
        try await LiveServer.run(policies: Self.policies) { server in
            let t0 = server.clock.now
            #expect(try await server.server.escalator.tick() == t0.addingTimeInterval(180), "the escalator wakes at the deadline")
            #expect(try await listed(server)?.state == .waiting)
            #expect(try await listed(server)?.deadlineAt == t0.addingTimeInterval(180))

            server.clock.advance(by: 10)
            let beaten = try await beat(server)
            #expect(beaten.status == .ok)
            let status = try beaten.decode(HeartbeatResource.self)
            #expect(status.state == .healthy && status.beats == 1 && status.deadlineAt == t0.addingTimeInterval(190))

            server.clock.advance(by: 179)
            #expect(try await server.server.escalator.tick() == t0.addingTimeInterval(190))
            #expect(try await server.store.incidents(filter: .all, limit: 10).incidents.isEmpty, "nothing before the deadline")

            server.clock.advance(by: 1)
            try await server.server.escalator.tick()
            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.source == "heartbeat" && detail.incident.severity == "critical")
            #expect(detail.alerts.map(\.labels) == [Self.watchdog.alertLabels])
            #expect(detail.alerts.first?.annotations["summary"] == "Prometheus eu1 stopped sending its Watchdog")
            #expect(detail.escalations.map(\.policyName) == ["critical-immediate"])
            let pages = try await server.store.notifications(incidentID: 1)
            #expect(pages.map(\.address) == ["alice@example.com"] && pages.allSatisfy { $0.event == .triggered })
            let missed = try await listed(server)
            #expect(missed?.state == .missed && missed?.missedAt == t0.addingTimeInterval(190) && missed?.deadlineAt == nil)
            let metrics = String(buffer: try await server.api(.get, "/metrics", token: "").body)
            #expect(metrics.contains(#"tocsin_heartbeat_missed{heartbeat="prometheus-eu1"} 1"#))
            #expect(metrics.contains("tocsin_heartbeat_last_beat_timestamp_seconds{heartbeat=\"prometheus-eu1\"} \(Int(t0.timeIntervalSince1970) + 10)"))

            // Another pass finds nothing new to open.
            server.clock.advance(by: 60)
            try await server.server.escalator.tick()
            #expect(try await server.store.incidents(filter: .all, limit: 10).incidents.count == 1)

            // Alertmanager's resolved Watchdog is no sign of life.
            server.clock.advance(by: 5)
            let resolvedNotice = try await server.client.execute(
                uri: "/api/v1/heartbeats/prometheus-eu1", method: .post, headers: [.contentType: "application/json"],
                body: .init(string: #"{"receiver":"tocsin-watchdog","status":"resolved","alerts":[]}"#))
            #expect(resolvedNotice.status == .ok)
            let afterNotice = try await listed(server)
            #expect(afterNotice?.state == .missed && afterNotice?.beats == 1)

            #expect(try await beat(server).status == .ok)
            let recovered = try await server.store.incident(id: 1)
            #expect(recovered.incident.state == .resolved)
            #expect(recovered.alerts.first?.annotations["summary"] == "Prometheus eu1 stopped sending its Watchdog", "the resolve keeps what the alert said")
            #expect(recovered.alerts.first?.labels == Self.watchdog.alertLabels)
            #expect(recovered.alerts.first?.startsAt == t0.addingTimeInterval(190))
            #expect(try await listed(server)?.state == .healthy)
        }
    }

    @Test("a beat of an unknown heartbeat is a 404 naming it, and changes nothing")
    func unknownHeartbeat() async throws {
        try await LiveServer.run(policies: Self.policies) { server in
            try await server.server.escalator.tick()
            let before = try await DatabaseSnapshot.take(server.store)
            let response = try await beat(server, "prometheus-us1")
            #expect(response.status == .notFound)
            let error = try #require(try response.jsonObject()["error"] as? [String: Any])
            #expect(error["field"] as? String == "name")
            #expect((error["message"] as? String)?.contains(#"no heartbeat named "prometheus-us1" (configured: prometheus-eu1"#) == true)
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("with an ingest token, a beat needs it; the list needs a user token")
    func authentication() async throws {
        try await LiveServer.run(ingestToken: "beat-secret", policies: Self.policies) { server in
            let without = try await beat(server)
            let wrong = try await beat(server, token: "wrong")
            #expect(without.status == .unauthorized && wrong.status == .unauthorized)
            let stored = try await server.store.heartbeatStatuses()
            #expect((stored["prometheus-eu1"]?.beats ?? 0) == 0 && stored["prometheus-eu1"]?.lastBeatAt == nil, "a refused beat stores nothing")
            let right = try await beat(server, token: "beat-secret")
            #expect(right.status == .ok)
            let anonymous = try await server.api(.get, "/api/v1/heartbeats", token: "")
            #expect(anonymous.status == .unauthorized)
            let listing = try await listed(server)
            #expect(listing?.beats == 1)
        }
    }

    @Test("at a start, a heartbeat whose beat fell due while Tocsin was down gets one more window; one late before the stop is missed", arguments: TestBackend.allCases)
    func resumeAtStart(backend: TestBackend) async throws {
        var late = Heartbeat(name: "late", interval: 60, grace: 120)
        late.labels = ["severity": "critical"]
        var policies = Self.policies
        policies.heartbeats.append(late)
        let configuration = policies
        // On the store alone (each store), without a server's loop that could look at the heartbeats in between.
        try await backend.withStore { store in
            let t0 = Date(timeIntervalSince1970: 1_795_800_000)
            func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
            func incidents() async throws -> Int { try await store.incidents(filter: .all, limit: 10, before: nil).incidents.count }
            _ = try await store.recordBeat(Self.watchdog, configuration: configuration, now: at(0))     // the watchdog beats at t0
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(0))              // "late" is watched from t0
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(100))            // last check at t0+100
            // Tocsin is down from t0+100 to t0+400: the watchdog's next beat was expected at t0+60, while
            // Tocsin was still up, and "late" was already late then too.
            #expect(try await store.resumeHeartbeats(configuration: configuration, now: at(400)) == [])

            // A beat that falls due after the last check is given a fresh window instead.
            _ = try await store.recordBeat(Self.watchdog, configuration: configuration, now: at(400))
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(400))            // "late" is missed now
            #expect(try await incidents() == 1)
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(430))            // checked at t0+430
            // Down until t0+1030; the watchdog's beat was expected at t0+460.
            #expect(try await store.resumeHeartbeats(configuration: configuration, now: at(1030)) == ["prometheus-eu1"])
            let watchdog = try #require(try await store.heartbeatStatuses()["prometheus-eu1"])
            #expect(watchdog.state == .healthy && watchdog.watchingSince == at(1030) && watchdog.lastBeatAt == at(400))
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(1030))
            #expect(try await incidents() == 1, "no incident for the watchdog at the start")

            // Tocsin crashes again before that window ends and stays down past it: no second window.
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(1040))
            #expect(try await store.resumeHeartbeats(configuration: configuration, now: at(1640)) == [])
            _ = try await store.checkHeartbeats(configuration: configuration, now: at(1640))
            #expect(try await incidents() == 2, "the silent watchdog is missed at once")
        }
    }

    @Test("a heartbeat removed from the configuration is forgotten: its missed incident resolves, and it is watched afresh if it comes back")
    func removed() async throws {
        try await LiveServer.run(policies: Self.policies) { server in
            try await server.server.escalator.tick()
            server.clock.advance(by: 180)
            try await server.server.escalator.tick()
            #expect(try await server.store.incident(id: 1).incident.state == .triggered)

            server.clock.advance(by: 60)
            var without = Self.policies
            without.heartbeats = []
            _ = try await server.store.checkHeartbeats(configuration: without, now: server.clock.now)
            #expect(try await server.store.incident(id: 1).incident.state == .resolved)
            #expect(try await server.store.heartbeatStatuses().isEmpty)

            let back = try await server.store.checkHeartbeats(configuration: Self.policies, now: server.clock.now)
            #expect(back.watched == ["prometheus-eu1"] && back.nextDeadline == server.clock.now.addingTimeInterval(180))
        }
    }
}
