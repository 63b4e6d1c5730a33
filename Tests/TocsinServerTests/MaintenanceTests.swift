import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinAPI
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Maintenance windows through the server, on the shipped policies with a manual clock: held
/// alerts page nobody while the window is open, and are paged as new when it closes.
@Suite("Maintenance windows")
struct MaintenanceTests {
    func add(_ server: LiveServer, _ json: String, token: String? = nil) async throws -> TestResponse {
        try await server.api(.post, "/api/v1/maintenance", json: json, token: token)
    }

    func until(_ server: LiveServer, _ seconds: TimeInterval) -> String {
        RFC3339.format(server.clock.now.addingTimeInterval(seconds))
    }

    @Test("a matching alert is stored and marked but pages nobody; when the window ends it is paged as new, at once")
    func heldThenPaged() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let added = try await add(server, #"{"matchers":["team=\"dba\""],"until":"\#(until(server, 3600))","note":"db upgrade"}"#)
            #expect(added.status == .created, "\(String(buffer: added.body))")
            let window = try added.decode(MaintenanceWindowResource.self)
            #expect(window.state == "open" && window.matchers == [#"team="dba""#])

            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            try await server.server.escalator.tick()
            var detail = try await server.store.incident(id: 1)
            #expect(detail.notifications.isEmpty, "nobody paged while held")
            #expect(detail.maintenanceHolds.values.map { $0 } == [window.id])
            #expect(detail.timeline.contains { $0.kind == .heldByMaintenance && $0.note?.contains("window #\(window.id)") == true })
            let shown = try await server.api(.get, "/api/v1/incidents/1").decode(IncidentDetailResource.self)
            #expect(shown.alerts.first?.maintenanceWindowID == window.id && shown.maintenanceWindowIDs == [window.id])
            let listed = try await server.api(.get, "/api/v1/maintenance").decode(MaintenanceListResource.self)
            #expect(listed.windows.first?.heldAlerts == 1 && listed.windows.first?.heldIncidents == 1)

            // A warning from another team is not held.
            #expect(try await server.ingest(try Fixtures.data("webhook-03-firing-warning-single")).status == .ok)
            try await server.server.escalator.tick()
            #expect(try await server.store.incident(id: 2).notifications.map(\.target) == ["channel:team-chat"])
            let listing = try await server.api(.get, "/api/v1/incidents").decode(IncidentListResource.self)
            #expect(listing.incidents.map(\.inMaintenance) == [nil, true], "incident 1 is in maintenance, 2 is not")

            #expect(try await server.server.escalator.tick() == server.clock.now.addingTimeInterval(3600), "the loop wakes when the window closes")
            server.clock.advance(by: 3600)
            try await server.server.escalator.tick()
            detail = try await server.store.incident(id: 1)
            #expect(detail.notifications.map(\.address) == ["alice@example.com"], "paged at once when the window closed")
            #expect(detail.maintenanceHolds.isEmpty)
            #expect(detail.timeline.contains { $0.kind == .maintenanceEnded && $0.note?.contains("critical-immediate") == true })
            let after = try await server.api(.get, "/api/v1/incidents").decode(IncidentListResource.self)
            #expect(after.incidents.allSatisfy { $0.inMaintenance == nil })
            let closed = try await server.api(.get, "/api/v1/maintenance?all=true").decode(MaintenanceListResource.self)
            #expect(closed.windows.first?.state == "closed" && closed.windows.first?.heldAlerts == 0)
        }
    }

    @Test("removing a window pages what it held now; an alert that resolved meanwhile pages nobody")
    func removedEarly() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let window = try await add(server, #"{"matchers":["cluster=\"eu1\""],"until":"\#(until(server, 86_400))"}"#)
                .decode(MaintenanceWindowResource.self)
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            #expect(try await server.ingest(try Fixtures.data("webhook-03-firing-warning-single")).status == .ok)
            #expect(try await server.ingest(try Fixtures.data("webhook-08-resolved-critical-single")).status == .ok)
            try await server.server.escalator.tick()
            server.clock.advance(by: 60)
            #expect(try await server.api(.delete, "/api/v1/maintenance/\(window.id)").status == .ok)
            try await server.server.escalator.tick()
            #expect(try await server.store.incident(id: 1).notifications.isEmpty, "resolved during the window: nothing to page")
            #expect(try await server.store.incident(id: 2).notifications.map(\.target) == ["channel:team-chat"])
            #expect(try await server.api(.delete, "/api/v1/maintenance/99").status == .notFound)
        }
    }

    @Test("a missed heartbeat matching a window is held too")
    func heldHeartbeat() async throws {
        try await LiveServer.run(policies: HeartbeatTests.policies) { server in
            #expect(try await add(server, #"{"matchers":["alertname=\"HeartbeatMissed\""],"until":"\#(until(server, 7200))"}"#).status == .created)
            try await server.server.escalator.tick()
            server.clock.advance(by: 180)
            try await server.server.escalator.tick()
            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.source == "heartbeat" && detail.notifications.isEmpty && !detail.maintenanceHolds.isEmpty)
        }
    }

    @Test("a bad window is a 400 naming the field and changes nothing", arguments: [
        (#"{"matchers":[],"until":"UNTIL"}"#, "matchers"), (#"{"matchers":["team=~\"(\""],"until":"UNTIL"}"#, "matchers[0]"),
        (#"{"matchers":["team!=\"web\""],"until":"UNTIL"}"#, "matchers"), (#"{"matchers":["team=~\".*\""],"until":"UNTIL"}"#, "matchers"),
        (#"{"matchers":["team=\"dba\""],"until":"2020-01-01T00:00:00Z"}"#, "until"),
        (#"{"matchers":["team=\"dba\""],"until":"LONG"}"#, "until"), (#"{"matchers":["team=\"dba\""]}"#, "until"),
    ])
    func badWindows(body: String, field: String) async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let before = try await DatabaseSnapshot.take(server.store)
            let json = body.replacingOccurrences(of: "UNTIL", with: until(server, 3600))
                .replacingOccurrences(of: "LONG", with: until(server, 8 * 86_400))
            let response = try await add(server, json)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains(#""field":"\#(field)""#), "\(String(buffer: response.body))")
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("a window longer than --max-maintenance needs force; adding one needs the admin scope; both are audited")
    func forceAndScope() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let long = #"{"matchers":["team=\"dba\""],"until":"\#(until(server, 8 * 86_400))","force":true}"#
            #expect(try await add(server, long).status == .created)
            let token = APIToken.generate()
            _ = try await server.store.addUser(
                name: "bob", email: "bob@example.com", tokenHash: APIToken.hash(token), scopes: [.respond], now: server.clock.now)
            #expect(try await add(server, long, token: token).status == .forbidden)
            #expect(try await server.api(.get, "/api/v1/maintenance", token: token).status == .ok)
            #expect(try await server.api(.delete, "/api/v1/maintenance/1", token: token).status == .forbidden)
            #expect(try await server.api(.delete, "/api/v1/maintenance/1").status == .ok)
            let kinds = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0)).map(\.kind)
            #expect(kinds.contains(.maintenanceAdded) && kinds.contains(.maintenanceRemoved))
        }
    }

    @Test("a held alert joining an acknowledged incident does not re-trigger it; when the window closes, it does, and the chain restarts")
    func heldOnAcknowledged() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            let t0 = server.clock.now
            func batch(_ instances: [String]) -> AlertBatch {
                AlertBatch(
                    receiver: "team", groupKey: "disk", status: .firing,
                    alerts: instances.map { Alert(status: .firing, labels: ["alertname": "DiskFull", "severity": "critical", "instance": $0], startsAt: t0) })
            }
            _ = try await server.store.ingest(batch(["db1"]), configuration: EscalationTests.shipped, now: t0)
            try await server.server.escalator.tick()
            #expect(try await server.api(.post, "/api/v1/incidents/1/ack").status == .ok)
            #expect(try await add(server, #"{"matchers":["instance=\"db2\""],"until":"\#(until(server, 600))"}"#).status == .created)
            _ = try await server.store.ingest(batch(["db1", "db2"]), configuration: EscalationTests.shipped, now: t0.addingTimeInterval(60))
            #expect(try await server.store.incident(id: 1).incident.state == .acknowledged, "a held alert does not re-trigger")

            server.clock.set(to: t0.addingTimeInterval(600))
            try await server.server.escalator.tick()
            let detail = try await server.store.incident(id: 1)
            #expect(detail.incident.state == .triggered)
            #expect(detail.timeline.contains { $0.kind == .retriggered && $0.note?.contains("maintenance window #1") == true })
            #expect(detail.notifications.filter(\.event.isPage).map(\.address) == ["alice@example.com", "alice@example.com"],
                    "the chain restarted: the on-call person paged again at once")
        }
    }
}
