import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// The escalation engine through the real server, on the shipped policies, with a manual clock.
@Suite("Escalation through the server")
struct EscalationTests {
    static let shipped = try! PolicyDirectory.load(PolicyDirectoryTests.shipped)

    func notifications(_ server: LiveServer, _ id: Int64) async throws -> [OutboxEntry] {
        try await server.store.notifications(incidentID: id)
    }

    /// Marks everything queued so far as delivered, as the dispatcher would.
    func deliverQueued(_ server: LiveServer) async throws {
        for entry in try await server.store.claimDueNotifications(now: server.clock.now, limit: 1000) {
            try await server.store.recordAttempt(
                entry, startedAt: server.clock.now, finishedAt: server.clock.now, statusCode: 200, error: nil, outcome: .sent,
                rendered: "{}")
        }
    }

    @Test("critical-immediate: page alice at once, bob at 5m; an ack stops it and expires after 30m; resolve tells everyone")
    func criticalShape() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            let t0 = server.clock.now
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            #expect(try await server.server.escalator.tick() == t0.addingTimeInterval(298),
                    "the escalator looks again 2 s before bob's step, to prepare it")
            var sent = try await notifications(server, 1)
            #expect(sent.map(\.address) == ["alice@example.com"])
            #expect(sent.allSatisfy { $0.event == .triggered && $0.state == .pending && $0.urgent })
            let detail = try await server.store.incident(id: 1)
            #expect(detail.escalations.map(\.policyName) == ["critical-immediate"])
            #expect(detail.escalations[0].nextDueAt == t0.addingTimeInterval(300))

            server.clock.advance(by: 297)
            try await server.server.escalator.tick()
            #expect(try await notifications(server, 1).count == 1, "nothing before 4m58s")
            server.clock.advance(by: 2)
            try await server.server.escalator.tick()
            sent = try await notifications(server, 1)
            #expect(sent.last?.address == "bob@example.com" && sent.last?.event == .escalated)
            #expect(sent.last?.dueAt == t0.addingTimeInterval(300), "prepared 2 s ahead, held until 5m")
            server.clock.advance(by: 1)
            try await deliverQueued(server)

            // bob acknowledges at 7m: escalation pauses, everyone paged so far is told.
            server.clock.advance(by: 120)
            let ack = try await server.api(.post, "/api/v1/incidents/1/ack", json: #"{"note":"on it"}"#)
            #expect(ack.status == .ok)
            sent = try await notifications(server, 1)
            #expect(sent.filter { $0.event == .acknowledged }.map(\.address)
                == ["alice@example.com", "bob@example.com"])
            server.clock.advance(by: 600)  // carol's step at 15m does not run
            try await server.server.escalator.tick()
            #expect(try await notifications(server, 1).allSatisfy { $0.target != "person:carol" })

            // The acknowledgement expires 30m after it was given: triggered again, alice paged again.
            server.clock.set(to: t0.addingTimeInterval(420 + 1800))
            try await server.server.escalator.tick()
            let afterExpiry = try await server.store.incident(id: 1)
            #expect(afterExpiry.incident.state == .triggered)
            #expect(afterExpiry.timeline.map(\.kind).contains(.acknowledgementExpired))
            sent = try await notifications(server, 1)
            #expect(sent.filter { $0.idempotencyKey.contains("/e1/p0/s0/") }.count == 1)

            // Resolved by Alertmanager: escalation stops, unsent pages are cancelled, everyone paged is told.
            server.clock.advance(by: 60)
            #expect(try await server.ingest(try Fixtures.data("webhook-08-resolved-critical-single")).status == .ok)
            let resolved = try await server.store.incident(id: 1)
            #expect(resolved.incident.state == .resolved)
            #expect(resolved.escalations.allSatisfy { $0.nextDueAt == nil })
            let notices = resolved.notifications.filter { $0.event == .resolved }
            #expect(Set(notices.map(\.address)) == ["alice@example.com", "bob@example.com"])
            let pages = resolved.notifications.filter { $0.event == .triggered || $0.event == .escalated }
            #expect(pages.filter { $0.idempotencyKey.contains("/e0/") }.allSatisfy { $0.state == .sent })
            #expect(pages.filter { $0.idempotencyKey.contains("/e1/") }.allSatisfy { $0.state == .cancelled },
                    "pages not yet sent when the incident resolved are cancelled")
            #expect(Set(resolved.notifications.map(\.idempotencyKey)).count == resolved.notifications.count)
        }
    }

    @Test("warning-24h: the team channel at once, a reminder at 12h, alice paged at 24h")
    func warningShape() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            #expect(try await server.ingest(try Fixtures.data("webhook-03-firing-warning-single")).status == .ok)
            try await server.server.escalator.tick()
            var sent = try await notifications(server, 1)
            #expect(sent.map(\.target) == ["channel:team-chat"] && sent[0].urgent == false)
            server.clock.advance(by: 12 * 3600)
            try await server.server.escalator.tick()
            sent = try await notifications(server, 1)
            #expect(sent.last?.event == .reminder)
            server.clock.advance(by: 12 * 3600)
            try await server.server.escalator.tick()
            sent = try await notifications(server, 1)
            #expect(sent.last?.target == "person:alice")
            #expect(sent.last?.event == .escalated && sent.last?.urgent == true)
        }
    }

    @Test("a new alert joining an acknowledged incident restarts escalation from the first step")
    func retriggerRestarts() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            let opened = try Fixtures.batch("webhook-04-firing-grouped-2-alerts")
            var critical = opened
            critical.commonLabels["severity"] = "critical"
            critical.alerts = critical.alerts.map { alert in
                var copy = alert
                copy.labels["severity"] = "critical"
                copy.fingerprint = Fingerprint(labels: copy.labels)
                return copy
            }
            _ = try await server.store.ingest(critical, configuration: Self.shipped, now: server.clock.now)
            try await server.server.escalator.tick()
            _ = try await server.api(.post, "/api/v1/incidents/1/ack")
            server.clock.advance(by: 60)
            var grown = critical
            var extra = critical.alerts[0]
            extra.labels["instance"] = "web9:9100"
            extra.fingerprint = Fingerprint(labels: extra.labels)
            grown.alerts.append(extra)
            let result = try await server.store.ingest(grown, configuration: Self.shipped, now: server.clock.now)
            #expect(result.state == .triggered && result.escalationChanged)
            try await server.server.escalator.tick()
            let detail = try await server.store.incident(id: 1)
            #expect(detail.escalations[0].epoch == 1)
            #expect(detail.notifications.filter { $0.idempotencyKey.contains("/e1/p0/s0/") }.count == 1)
        }
    }

    @Test("an incident whose labels match no route is recorded and says nobody will be notified")
    func noPolicy() async throws {
        try await LiveServer.run(policies: TocsinConfiguration()) { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            try await server.server.escalator.tick()
            let detail = try await server.store.incident(id: 1)
            #expect(detail.escalations.isEmpty && detail.notifications.isEmpty)
            #expect(detail.timeline[0].note?.contains("no escalation policy matched") == true)
        }
    }

    @Test("a reload takes back the steps prepared ahead; they are prepared again, once, with the new schedules")
    func reloadRepreparesSteps() async throws {
        try await LiveServer.run(policies: Self.shipped) { server in
            let t0 = server.clock.now
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            server.clock.advance(by: 299)
            try await server.server.escalator.tick()
            let prepared = try #require(try await notifications(server, 1).last)
            #expect(prepared.address == "bob@example.com" && prepared.dueAt == t0.addingTimeInterval(300))

            server.clock.advance(by: 0.5)
            #expect(try await server.api(.post, "/-/reload").status == .ok)
            try await server.server.escalator.tick()
            let sent = try await notifications(server, 1)
            #expect(sent.map(\.address) == ["alice@example.com", "bob@example.com"])
            #expect(sent.last?.dueAt == t0.addingTimeInterval(300))
            #expect(sent.last?.createdAt == t0.addingTimeInterval(299.5), "taken back and prepared again after the reload")
            let steps = try await server.store.incident(id: 1).timeline.filter { $0.kind == .notified }
            #expect(steps.count == 2, "the step ran once")
        }
    }

    @Test("POST /-/reload: a valid directory takes effect for new incidents, running ones keep their snapshot; an invalid one is refused")
    func reload() async throws {
        let directory = try TemporaryDirectory("tocsin-reload")
        defer { directory.remove() }
        for file in ["people.yaml", "channels.yaml", "routes.yaml", "policies.yaml", "schedules.yaml"] {
            try FileManager.default.copyItem(
                atPath: PolicyDirectoryTests.shipped + "/" + file, toPath: directory.path(file))
        }
        try await LiveServer.run(policies: try PolicyDirectory.load(directory.url.path), policyDirectory: directory.url.path) { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            let people = try String(contentsOfFile: directory.path("people.yaml"), encoding: .utf8)
            try people.replacingOccurrences(of: "alice@example.com", with: "alice.new@example.com")
                .write(toFile: directory.path("people.yaml"), atomically: true, encoding: .utf8)
            let unauthenticated = try await server.client.execute(uri: "/-/reload", method: .post)
            #expect(unauthenticated.status == .unauthorized)
            let ok = try await server.api(.post, "/-/reload")
            #expect(ok.status == .ok)
            _ = try await server.ingest(try Fixtures.data("webhook-12-firing-inhibition-source-only"))
            try await server.server.escalator.tick()
            #expect(try await notifications(server, 1).first?.address == "alice@example.com", "running incident keeps its snapshot")
            #expect(try await notifications(server, 2).first?.address == "alice.new@example.com", "new incident uses the reload")

            try "policies: [".write(toFile: directory.path("policies.yaml"), atomically: true, encoding: .utf8)
            let refused = try await server.api(.post, "/-/reload")
            #expect(refused.status == .unprocessableContent)
            #expect(server.server.policies.configuration.policy("critical-immediate") != nil, "kept running configuration")
        }
    }
}
