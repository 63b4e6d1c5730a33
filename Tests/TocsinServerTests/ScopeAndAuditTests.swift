import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Token scopes, revocation and the audit trail, through the real server.
@Suite("Token scopes and the audit trail")
struct ScopeAndAuditTests {
    @Test("a read-only token reads but may not respond or administer: 403 naming the scope, nothing changes")
    func scopes() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            let viewer = APIToken.generate()
            _ = try await server.store.addUser(
                name: "viewer", email: "viewer@example.com", tokenHash: APIToken.hash(viewer), scopes: [.read], now: Date())
            #expect(try await server.api(.get, "/api/v1/incidents", token: viewer).status == .ok)
            let before = try await DatabaseSnapshot.take(server.store)
            for (method, path, scope) in [
                (HTTPRequest.Method.post, "/api/v1/incidents/1/ack", "respond"), (.post, "/api/v1/incidents/1/resolve", "respond"),
                (.post, "/-/reload", "admin"), (.post, "/api/v1/drills", "admin"), (.post, "/api/v1/deliveries/1/retry", "admin"),
                (.post, "/api/v1/overrides", "respond"),
            ] {
                let response = try await server.api(method, path, json: #"{"name":"x"}"#, token: viewer)
                #expect(response.status == .forbidden, "\(path)")
                #expect(try response.apiError().message.contains("lacks the \(scope) scope"), "\(path)")
            }
            #expect(try await DatabaseSnapshot.take(server.store) == before)

            let responder = APIToken.generate()
            _ = try await server.store.addUser(
                name: "responder", email: "r@example.com", tokenHash: APIToken.hash(responder), scopes: [.respond], now: Date())
            #expect(try await server.api(.get, "/api/v1/incidents/1", token: responder).status == .ok, "respond includes read")
            #expect(try await server.api(.post, "/api/v1/incidents/1/ack", token: responder).status == .ok)
            #expect(try await server.api(.post, "/-/reload", token: responder).status == .forbidden)
        }
    }

    @Test("revoked tokens are refused at once; failures, acks, resolves and reloads are audited; the trail is append-only")
    func revocationAndAudit() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            #expect(try await server.api(.post, "/api/v1/incidents/1/ack", json: #"{"note":"on it"}"#).status == .ok)
            #expect(try await server.api(.post, "/api/v1/incidents/1/resolve").status == .ok)
            #expect(try await server.api(.get, "/api/v1/incidents", token: "tcn_wrong").status == .unauthorized)
            _ = try await server.api(.post, "/-/reload")
            #expect(try await server.store.revokeTokens(userName: "alice", now: Date()) == 1)
            #expect(try await server.api(.get, "/api/v1/incidents").status == .unauthorized)

            let trail = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0))
            #expect(trail.map(\.kind) == [
                .tokenCreated, .incidentAcknowledged, .incidentResolved, .authenticationFailed, .configReloaded,
                .tokenRevoked,
            ], "the second failure from the same address within a minute is counted, not written")
            #expect(trail[1].actor == "alice" && trail[1].source == "api" && trail[1].detail == "incident #1: on it")
            #expect(trail[3].source == "127.0.0.1" && trail[3].detail.contains("GET /api/v1/incidents"))
            #expect(!trail.contains { $0.detail.contains("tcn_") }, "no token in the trail")

            let queue = try DatabaseQueue(path: server.store.path)
            #expect(throws: (any Error).self) { try queue.write { db in try db.execute(sql: "UPDATE audit_events SET actor = 'x'") } }
            #expect(throws: (any Error).self) { try queue.write { db in try db.execute(sql: "DELETE FROM audit_events") } }
        }
    }

    @Test("a client over the API rate gets 429 with Retry-After; ingest and health checks are not limited")
    func rateLimit() async throws {
        try await LiveServer.run(apiRateLimit: 0.01) { server in
            // A bucket of 1 (at least one request): the first passes, the next is refused for up to 100 s (1 / 0.01 per s).
            #expect(try await server.api(.get, "/api/v1/incidents").status == .ok)
            let refused = try await server.api(.get, "/api/v1/incidents")
            #expect(refused.status == .tooManyRequests)
            #expect((1...100).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0), "Retry-After: the seconds until a token is back")
            #expect(try refused.apiError().message.contains("too many requests from 127.0.0.1"))
            for _ in 0..<5 {
                #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
                #expect(try await server.client.execute(uri: "/healthz", method: .get).status == .ok)
            }
        }
    }

    @Test("behind a trusted proxy each client has its own rate and is audited by its own address; from others X-Forwarded-For is ignored")
    func trustedProxy() async throws {
        try await LiveServer.run(apiRateLimit: 0.01, trustedProxies: ["127.0.0.0/8"]) { server in
            func list(from client: String, token: String? = nil) async throws -> TestResponse {
                var headers: HTTPFields = [.authorization: "Bearer \(token ?? server.token)"]
                // A forged entry first, as a client would send it; the proxy appends the peer it saw.
                headers[values: HTTPField.Name("X-Forwarded-For")!] = ["6.6.6.6, \(client)"]
                return try await server.client.execute(uri: "/api/v1/incidents", method: .get, headers: headers)
            }
            #expect(try await list(from: "198.51.100.7").status == .ok)
            #expect(try await list(from: "198.51.100.8").status == .ok, "another client, another bucket")
            let refused = try await list(from: "198.51.100.7")
            #expect(refused.status == .tooManyRequests)
            #expect(try refused.apiError().message.contains("too many requests from 198.51.100.7"))
            _ = try await list(from: "203.0.113.9", token: "tcn_not-a-token")
            let failures = try await server.store.auditEvents(since: .distantPast).filter { $0.kind == .authenticationFailed }
            #expect(failures.map(\.source) == ["203.0.113.9"])
        }
        // Without trusted proxies, the header changes nothing: the peer is the client.
        try await LiveServer.run(apiRateLimit: 0.01) { server in
            var headers: HTTPFields = [.authorization: "Bearer \(server.token)"]
            headers[values: HTTPField.Name("X-Forwarded-For")!] = ["198.51.100.7"]
            #expect(try await server.client.execute(uri: "/api/v1/incidents", method: .get, headers: headers).status == .ok)
            headers[values: HTTPField.Name("X-Forwarded-For")!] = ["198.51.100.8"]
            let refused = try await server.client.execute(uri: "/api/v1/incidents", method: .get, headers: headers)
            #expect(refused.status == .tooManyRequests, "a client cannot dodge its rate by naming another address")
        }
    }
}
