import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

@Suite("POST /api/v1/ingest/alertmanager over real HTTP")
struct IngestEndpointTests {
    @Test("the captured webhooks replayed in order produce the expected incidents, and each twice changes nothing more")
    func replayFixtures() async throws {
        try await LiveServer.run { server in
            for step in FixtureReplay.steps {
                let body = try Fixtures.data(step.fixture)
                let response = try await server.ingest(body)
                #expect(response.status == .ok, "\(step.fixture)")
                let json = try response.jsonObject()
                #expect(json["incident_ids"] as? [Int] == [Int(step.incidentID)], "\(step.fixture)")
                let counts = json["alerts"] as? [String: Int] ?? [:]
                #expect(counts["new"] == step.new && counts["resolved"] == step.resolved, "\(step.fixture): \(counts)")
                let incident = try await server.store.incident(id: step.incidentID).incident
                #expect(incident.state == step.state && incident.firingCount == step.firing && incident.alertCount == step.total)

                let timeline = try await server.store.incident(id: step.incidentID).timeline.count
                let repeated = try await server.ingest(body)
                #expect(repeated.status == .ok)
                #expect((try repeated.jsonObject()["alerts"] as? [String: Int])?["new"] == 0)
                #expect(try await server.store.incident(id: step.incidentID).timeline.count == timeline, "\(step.fixture) twice")
            }
            #expect(try await server.store.incidents(filter: .all).incidents.count == 8)
        }
    }

    @Test("the exact bytes Alertmanager sends (compact, \\u0026 escapes, trailing newline) are accepted")
    func rawBody() async throws {
        try await LiveServer.run { server in
            let response = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single.raw-body"))
            #expect(response.status == .ok)
            let alert = try await server.store.incident(id: 1).alerts[0]
            #expect(alert.generatorURL.contains("&g0.tab=1"))
        }
    }

    static let badBodies: [(name: String, body: String, field: String?, fragment: String)] = [
        ("invalid JSON", "{not json", nil, "not valid JSON"),
        ("wrong version", #"{"version":"3","status":"firing","receiver":"r","groupKey":"k","alerts":[]}"#, "version", "unsupported version"),
        ("missing alerts", #"{"version":"4","status":"firing","receiver":"r","groupKey":"k"}"#, "alerts", "is required"),
        ("missing labels", #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing"}]}"#, "alerts[0].labels", "is required"),
        ("missing status", #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"labels":{"a":"b"}}]}"#, "alerts[0].status", "is required"),
        ("unparsable time", #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"noon"}]}"#, "alerts[0].startsAt", "RFC 3339"),
        ("empty label set", #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{}}]}"#, "alerts[0].labels", "at least one label"),
        ("invalid label name", #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"alertname":"A"}},{"status":"firing","labels":{"my-label":"v"}}]}"#, "alerts[1].labels.my-label", "invalid label name"),
    ]

    @Test("bad input gets 400 naming the field, and the database is unchanged", arguments: badBodies)
    func rejectsBadInput(_ bad: (name: String, body: String, field: String?, fragment: String)) async throws {
        try await LiveServer.run { server in
            _ = try await server.ingest(try Fixtures.data("webhook-04-firing-grouped-2-alerts"))
            let before = try await DatabaseSnapshot.take(server.store)
            let response = try await server.ingest(Array(bad.body.utf8))
            #expect(response.status == .badRequest, "\(bad.name)")
            let error = try response.apiError()
            #expect(error.field == bad.field, "\(bad.name)")
            #expect(error.message.contains(bad.fragment), "\(bad.name): \(error.message)")
            #expect(try await DatabaseSnapshot.take(server.store) == before, "\(bad.name) changed the database")
        }
    }

    @Test("a body over the limit gets 413 and changes nothing")
    func tooLarge() async throws {
        try await LiveServer.run(maxBodyBytes: 2048) { server in
            let before = try await DatabaseSnapshot.take(server.store)
            let padding = String(repeating: "x", count: 4000)
            let body = #"{"version":"4","status":"firing","receiver":"r","groupKey":"k","alerts":[{"status":"firing","labels":{"a":"\#(padding)"}}]}"#
            let response = try await server.ingest(Array(body.utf8))
            #expect(response.status == .contentTooLarge)
            #expect(try response.apiError().message.contains("2048 bytes"))
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("a non-JSON content type gets 415 and changes nothing", arguments: ["text/plain", nil])
    func wrongContentType(contentType: String?) async throws {
        try await LiveServer.run { server in
            let before = try await DatabaseSnapshot.take(server.store)
            let response = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"), contentType: contentType)
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.apiError().field == "Content-Type")
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("with an ingest token configured, requests without it get 401, a known token without the ingest scope 403 (no failed login); nothing changes")
    func ingestAuth() async throws {
        let secret = "fixture-secret-token"
        try await LiveServer.run(ingestToken: secret) { server in
            let body = try Fixtures.data("webhook-01-firing-critical-single")
            let reader = APIToken.generate()
            _ = try await server.store.addUser(
                name: "reader", email: "reader@example.com", tokenHash: APIToken.hash(reader), scopes: [.read, .respond], now: Date())
            let sender = APIToken.generate()
            _ = try await server.store.addUser(
                name: "am", email: "am@example.com", tokenHash: APIToken.hash(sender), scopes: [.ingest], now: Date())
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let missing = try await server.ingest(body)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            let failedLogins = { try await server.store.auditEvents(since: .distantPast).filter { $0.kind == .authenticationFailed }.count }
            let unscoped = try await server.ingest(body, headers: [.authorization: "Bearer \(reader)"])
            #expect(unscoped.status == .forbidden, "a token without the ingest scope is refused as such")
            #expect(try unscoped.apiError().message.contains("lacks the ingest scope"))
            #expect(try await failedLogins() == 0, "a known token is no failed login")
            let wrong = try await server.ingest(body, headers: [.authorization: "Bearer not-the-token"])
            #expect(wrong.status == .unauthorized)
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
            #expect(try await failedLogins() == 1)
            // Exactly what Alertmanager's http_config.authorization sends: the ingest token, or a user token with `ingest`.
            let right = try await server.ingest(body, headers: [.authorization: "Bearer \(secret)"])
            #expect(right.status == .ok)
            let scoped = try await server.ingest(body, headers: [.authorization: "Bearer \(sender)"])
            #expect(scoped.status == .ok)
        }
    }

    @Test("the correlation id is taken from X-Request-Id, or generated, and returned")
    func correlationID() async throws {
        try await LiveServer.run { server in
            let header = HTTPField.Name("X-Request-Id")!
            let given = try await server.ingest(
                try Fixtures.data("webhook-03-firing-warning-single"), headers: [header: "am-delivery-7"])
            #expect(given.headers[header] == "am-delivery-7")
            let generated = try await server.ingest(Array("{".utf8))
            let id = try #require(generated.headers[header])
            // This process's random prefix and a count: another request gets the same prefix and another count.
            #expect(id.wholeMatch(of: /[0-9a-f]{16}-[0-9a-f]{16}/) != nil, "\(id)")
            #expect((try generated.jsonObject()["error"] as? [String: Any])?["request_id"] as? String == id)
            let next = try #require(try await server.ingest(Array("{".utf8)).headers[header])
            #expect(next.prefix(17) == id.prefix(17) && next != id, "\(id) then \(next)")
        }
    }
}
