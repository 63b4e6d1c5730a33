import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TocsinAPI
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// Every source's endpoint through the real server: a good payload is stored, and each kind of bad
/// one is refused with a status and the field at fault, leaving the database as it was.
@Suite("Source endpoints")
struct SourceIngestTests {
    static let keys: [Integration.Source: String] = [
        .generic: "0123456789abcdef0123456789abcdef", .pagerduty: "fedcba9876543210fedcba9876543210",
        .cloudwatch: "00112233445566778899aabbccddeeff",
    ]

    /// A refused request: where it goes, what it sends, and what the answer must say.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var source: Integration.Source?
        var body: String
        var status: HTTPResponse.Status
        /// Found in the answer: the field it names (or, for PagerDuty, in one of its errors).
        var mentions: String
        var testDescription: String { name }
    }

    static let sns = #"""
        {"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"{}",
         "Timestamp":"2026-11-27T17:20:03.412Z","SignatureVersion":"2","Signature":"c2ln",
         "SigningCertURL":"CERT"}
        """#

    static let refusals: [Refusal] = [
        Refusal(name: "Grafana: Alertmanager's version", path: "/api/v1/ingest/grafana", body: #"{"version":"4","status":"firing","receiver":"r","groupKey":"g","alerts":[]}"#, status: .badRequest, mentions: #""field":"version""#),
        Refusal(name: "Grafana: not JSON", path: "/api/v1/ingest/grafana", body: "{", status: .badRequest, mentions: "not valid JSON"),
        Refusal(name: "generic: no key", path: "/api/v1/ingest/generic", source: .generic, body: #"{"status":"firing"}"#, status: .badRequest, mentions: #""field":"key""#),
        Refusal(name: "generic: a misspelt field", path: "/api/v1/ingest/generic", source: .generic, body: #"{"key":"k","sevrity":"critical"}"#, status: .badRequest, mentions: #""field":"sevrity""#),
        Refusal(name: "generic: no integration key", path: "/api/v1/ingest/generic", body: #"{"key":"k"}"#, status: .unauthorized, mentions: #""field":"Authorization""#),
        Refusal(name: "generic: a PagerDuty key", path: "/api/v1/ingest/generic", source: .pagerduty, body: #"{"key":"k"}"#, status: .unauthorized, mentions: "not the key of a generic integration"),
        Refusal(name: "PagerDuty: bad severity, no source", path: "/v2/enqueue", body: #"{"routing_key":"fedcba9876543210fedcba9876543210","event_action":"trigger","payload":{"summary":"s","severity":"fatal"}}"#, status: .badRequest, mentions: "payload.severity"),
        Refusal(name: "PagerDuty: acknowledge without dedup_key", path: "/api/v1/ingest/pagerduty", body: #"{"routing_key":"fedcba9876543210fedcba9876543210","event_action":"acknowledge"}"#, status: .badRequest, mentions: "dedup_key"),
        Refusal(name: "PagerDuty: unknown routing key", path: "/v2/enqueue", body: #"{"routing_key":"ffffffffffffffffffffffffffffffff","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"critical"}}"#, status: .unauthorized, mentions: #""field":"routing_key""#),
        Refusal(name: "CloudWatch: no signature", path: "/api/v1/ingest/cloudwatch/KEY", body: sns.replacingOccurrences(of: #""Signature":"c2ln","#, with: ""), status: .forbidden, mentions: #""field":"Signature""#),
        Refusal(name: "CloudWatch: an unknown signature version", path: "/api/v1/ingest/cloudwatch/KEY", body: sns.replacingOccurrences(of: #""SignatureVersion":"2""#, with: #""SignatureVersion":"3""#), status: .forbidden, mentions: #""field":"SignatureVersion""#),
        Refusal(name: "CloudWatch: no topic", path: "/api/v1/ingest/cloudwatch/KEY", body: sns.replacingOccurrences(of: #""TopicArn":"arn:aws:sns:us-east-1:123456789012:t","#, with: ""), status: .badRequest, mentions: #""field":"TopicArn""#),
        Refusal(name: "CloudWatch: a certificate from an untrusted host", path: "/api/v1/ingest/cloudwatch/KEY", body: sns.replacingOccurrences(of: "CERT", with: "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem"), status: .forbidden, mentions: #""field":"SigningCertURL""#),
        Refusal(name: "CloudWatch: a certificate over http", path: "/api/v1/ingest/cloudwatch/KEY", body: sns.replacingOccurrences(of: "CERT", with: "http://sns.us-east-1.amazonaws.com/cert.pem"), status: .forbidden, mentions: #""field":"SigningCertURL""#),
        Refusal(name: "PagerDuty: past its own limit of 512 KiB", path: "/v2/enqueue", body: #"{"x":""# + String(repeating: "a", count: 600_000) + #""}"#, status: .contentTooLarge, mentions: "524288 bytes for this source"),
        Refusal(name: "CloudWatch: an unknown key", path: "/api/v1/ingest/cloudwatch/0000", body: sns, status: .unauthorized, mentions: #""field":"key""#),
    ]

    static func withIntegrations(_ body: @Sendable @escaping (LiveServer) async throws -> Void) async throws {
        try await LiveServer.run(policies: EscalationTests.shipped) { server in
            for (source, key) in keys.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                _ = try await server.store.addIntegration(
                    name: "\(source.rawValue)-billing", source: source, labels: ["service": "billing"], keyHash: APIToken.hash(key),
                    now: server.clock.now)
            }
            try await body(server)
        }
    }

    static func post(_ server: LiveServer, _ path: String, _ body: String, key: String? = nil, method: HTTPRequest.Method = .post)
        async throws -> TestResponse
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await server.client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("a bad payload is refused naming the field, and changes nothing", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        try await Self.withIntegrations { server in
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            let path = refusal.path.replacingOccurrences(of: "KEY", with: Self.keys[.cloudwatch] ?? "")
            let response = try await Self.post(server, path, refusal.body, key: refusal.source.flatMap { Self.keys[$0] })
            let text = String(buffer: response.body)
            #expect(response.status == refusal.status, "\(text)")
            #expect(text.contains(refusal.mentions), "\(text)")
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
        }
    }

    @Test("each source's sample is stored as an incident of that source, under the integration's name, with its labels")
    func stored() async throws {
        try await Self.withIntegrations { server in
            let grafana = String(decoding: try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/grafana/firing.json")), as: UTF8.self)
            #expect(try await Self.post(server, "/api/v1/ingest/grafana", grafana, method: .put).status == .ok)
            let generic = String(decoding: try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/generic/firing.json")), as: UTF8.self)
            #expect(try await Self.post(server, "/api/v1/ingest/generic", generic, key: Self.keys[.generic]).status == .ok)
            let pagerDuty = try await Self.post(
                server, "/v2/enqueue",
                #"{"routing_key":"fedcba9876543210fedcba9876543210","event_action":"trigger","payload":{"summary":"Disk full","source":"db1","severity":"error"}}"#)
            #expect(pagerDuty.status == .accepted)
            let answer = try pagerDuty.decode(PagerDutyEventResultResource.self)
            #expect(answer.status == "success" && answer.message == "Event processed" && answer.dedupKey.count == 32, "a made-up dedup key")

            let incidents = try await server.store.incidents(filter: .all, limit: 10).incidents
            #expect(Set(incidents.map(\.source)) == ["grafana", "generic", "pagerduty"])
            let paged = try #require(incidents.first { $0.source == "pagerduty" })
            #expect(paged.receiver == "pagerduty:pagerduty-billing" && paged.groupKey == answer.dedupKey && paged.severity == "critical")
            let alerts = try await server.store.incident(id: try #require(paged.id)).alerts
            #expect(alerts.first?.labels["service"] == "billing" && alerts.first?.labels["severity"] == "critical")
            let backup = try #require(incidents.first { $0.source == "generic" })
            #expect(backup.receiver == "generic:generic-billing" && backup.groupKey == "backups")
        }
    }

    @Test("a revoked integration key is refused at once, and the refusal is audited")
    func revoked() async throws {
        try await Self.withIntegrations { server in
            let event = #"{"key":"backup-nightly"}"#
            #expect(try await Self.post(server, "/api/v1/ingest/generic", event, key: Self.keys[.generic]).status == .ok)
            let revoked = try await server.store.revokeIntegration(name: "generic-billing", now: server.clock.now)
            #expect(revoked.revokedAt == server.clock.now)
            let before = try await DatabaseSnapshot.takeExceptAudit(server.store)
            #expect(try await Self.post(server, "/api/v1/ingest/generic", event, key: Self.keys[.generic]).status == .unauthorized)
            #expect(try await DatabaseSnapshot.takeExceptAudit(server.store) == before)
            let audit = try await server.store.auditEvents(since: Date(timeIntervalSince1970: 0), limit: 50).map(\.kind)
            #expect(audit.contains(.integrationCreated) && audit.contains(.integrationRevoked) && audit.contains(.authenticationFailed))
        }
    }

    @Test("a PagerDuty acknowledge reaches only its own integration's incidents, never another source's with the same key")
    func acknowledgeStaysInItsSource() async throws {
        try await Self.withIntegrations { server in
            let webhook = try Fixtures.data("webhook-01-firing-critical-single")
            #expect(try await server.ingest(webhook).status == .ok)
            let alertmanager = try #require(try await server.store.incidents(filter: .all, limit: 10).incidents.first)
            // The Alertmanager incident's own group key, sent as the dedup key of an acknowledge.
            let body = try JSONSerialization.data(withJSONObject: [
                "routing_key": "fedcba9876543210fedcba9876543210", "event_action": "acknowledge", "dedup_key": alertmanager.groupKey,
            ])
            #expect(try await Self.post(server, "/v2/enqueue", String(decoding: body, as: UTF8.self)).status == .accepted)
            #expect(try await server.store.incident(id: try #require(alertmanager.id)).incident.state == .triggered)
        }
    }
}
