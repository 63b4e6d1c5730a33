import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TocsinAPI
import TocsinCore
import TocsinStore
import TocsinTestSupport

@Suite("Incident API over real HTTP")
struct IncidentAPITests {
    @Test("missing or unknown tokens get 401 with a JSON error; nothing changes")
    func authentication() async throws {
        try await LiveServer.run { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            for token in ["", "tcn_unknown"] {
                for (method, path) in [(HTTPRequest.Method.get, "/api/v1/incidents"), (.get, "/api/v1/incidents/1"),
                                       (.post, "/api/v1/incidents/1/ack"), (.post, "/api/v1/incidents/1/resolve")] {
                    let response = try await server.api(method, path, token: token)
                    #expect(response.status == .unauthorized, "\(method) \(path) with \"\(token)\"")
                    #expect(try response.apiError().message.isEmpty == false)
                }
            }
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
            // The unknown tokens (not the missing ones) are in the audit trail, collapsed to one entry
            // per address and minute, without the token itself.
            let failures = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0)).filter { $0.kind == .authenticationFailed }
            #expect(failures.count == 1 && failures.first?.source == "127.0.0.1")
            #expect(!failures.contains { $0.detail.contains("tcn_unknown") })
        }
    }

    @Test("list, filter, show, ack, re-ack, resolve, and 409 on acking a resolved incident")
    func lifecycle() async throws {
        try await LiveServer.run { server in
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            _ = try await server.ingest(try Fixtures.data("webhook-04-firing-grouped-2-alerts"))

            let list = try await server.api(.get, "/api/v1/incidents").decode(IncidentListResource.self)
            #expect(list.incidents.map(\.id) == [2, 1])
            let none = try await server.api(.get, "/api/v1/incidents?state=acknowledged").decode(IncidentListResource.self)
            #expect(none.incidents.isEmpty)

            let ack = try await server.api(.post, "/api/v1/incidents/2/ack", json: #"{"note":"looking"}"#)
            #expect(ack.status == .ok)
            let acked = try ack.decode(IncidentCommandResultResource.self)
            #expect(acked.changed && acked.incident.state == .acknowledged && acked.incident.acknowledgedBy == "alice")
            let reAck = try await server.api(.post, "/api/v1/incidents/2/ack").decode(IncidentCommandResultResource.self)
            #expect(!reAck.changed)

            let detail = try await server.api(.get, "/api/v1/incidents/2").decode(IncidentDetailResource.self)
            #expect(detail.alerts.count == 2)
            #expect(detail.timeline.map(\.kind) == [.opened, .acknowledged])
            #expect(detail.timeline[1].actor == "alice" && detail.timeline[1].channel == "api" && detail.timeline[1].note == "looking")

            let resolved = try await server.api(.post, "/api/v1/incidents/2/resolve").decode(IncidentCommandResultResource.self)
            #expect(resolved.incident.state == .resolved)
            let before = try await DatabaseSnapshot.take(server.store)
            let conflict = try await server.api(.post, "/api/v1/incidents/2/ack")
            #expect(conflict.status == .conflict)
            #expect(try conflict.apiError().message.contains("already resolved"))
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("a first page answered again is the same bytes until an incident changes, then shows the change at once")
    func listFollowsChanges() async throws {
        try await LiveServer.run { server in
            func page(_ query: String) async throws -> (ids: [Int64], states: [IncidentState], body: ByteBuffer) {
                let response = try await server.api(.get, "/api/v1/incidents" + query)
                #expect(response.status == .ok)
                let list = try response.decode(IncidentListResource.self)
                return (list.incidents.map(\.id), list.incidents.map(\.state), response.body)
            }
            _ = try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single"))
            let first = try await page("")
            #expect(first.ids == [1])
            #expect(try await page("").body == first.body)

            _ = try await server.ingest(try Fixtures.data("webhook-04-firing-grouped-2-alerts"))
            #expect(try await page("").ids == [2, 1])
            #expect(try await page("?state=triggered&limit=1").ids == [2])

            _ = try await server.api(.post, "/api/v1/incidents/2/ack")
            #expect(try await page("").states == [.acknowledged, .triggered])
            #expect(try await page("?state=triggered&limit=1").ids == [1])

            _ = try await server.api(.post, "/api/v1/incidents/1/resolve")
            #expect(try await page("").ids == [2])
            #expect(try await page("?state=all").states == [.acknowledged, .resolved])
            // A page further back is read every time, and agrees.
            #expect(try await page("?state=all&before=2").states == [.resolved])
        }
    }

    @Test("bad ids and parameters get 400 or 404 naming the problem")
    func badRequests() async throws {
        try await LiveServer.run { server in
            let missing = try await server.api(.get, "/api/v1/incidents/42")
            #expect(missing.status == .notFound)
            #expect(try missing.apiError().message.contains("#42 not found"))
            let word = try await server.api(.get, "/api/v1/incidents/abc")
            #expect(word.status == .badRequest)
            #expect(try word.apiError().field == "id")
            let state = try await server.api(.get, "/api/v1/incidents?state=sleeping")
            #expect(state.status == .badRequest)
            #expect(try state.apiError().field == "state")
            let limit = try await server.api(.get, "/api/v1/incidents?limit=0")
            #expect(limit.status == .badRequest)
            #expect(try limit.apiError().field == "limit")
            let body = try await server.api(.post, "/api/v1/incidents/1/ack", json: #"{"note": 5}"#)
            #expect(body.status == .badRequest)
            #expect(try body.apiError().field == "note")
        }
    }

    @Test("an ack body over 64 KiB, or a link form over 16 KiB, gets 413 with the JSON error, not 500; nothing changes")
    func oversizedBodies() async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            #expect(try await server.ingest(try Fixtures.data("webhook-01-firing-critical-single")).status == .ok)
            let before = try await DatabaseSnapshot.take(server.store)
            let note = String(repeating: "x", count: 70 * 1024)
            let ack = try await server.api(.post, "/api/v1/incidents/1/ack", json: #"{"note": "\#(note)"}"#)
            #expect(ack.status == .contentTooLarge)
            #expect(try ack.jsonObject()["error"] != nil)
            #expect(try ack.apiError().message.contains("too large"))
            let form = try await server.client.execute(
                uri: "/api/v1/incidents/1/ack/confirm", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=" + String(repeating: "a", count: 17 * 1024)))
            #expect(form.status == .contentTooLarge)
            #expect(try form.apiError().message.contains("too large"))
            #expect(try await DatabaseSnapshot.take(server.store) == before)
        }
    }

    @Test("a doubled or trailing slash is not an alias of a route: //metrics and /metrics/ are 404, /metrics is served")
    func canonicalPaths() async throws {
        try await LiveServer.run { server in
            #expect(try await server.client.execute(uri: "/metrics", method: .get).status == .ok)
            for path in ["//metrics", "/metrics/", "//api/v1/incidents", "/api//v1/incidents", "/api/v1/incidents/"] {
                let answer = try await server.api(.get, path)
                #expect(answer.status == .notFound, "\(path)")
                #expect(try answer.apiError().message.contains("no such path"), "\(path)")
            }
            // An Alertmanager whose webhook URL ends in a slash is still heard.
            let ingested = try await server.client.execute(
                uri: "/api/v1/ingest/alertmanager/", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(bytes: try Fixtures.data("webhook-01-firing-critical-single")))
            #expect(ingested.status == .ok)
        }
    }

    @Test("healthz and readyz answer")
    func health() async throws {
        try await LiveServer.run { server in
            let health = try await server.client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let ready = try await server.client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
    }
}
