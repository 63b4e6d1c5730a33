import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TocsinCore
import TocsinDelivery
import TocsinServer
import TocsinStore
import TocsinTestSupport

/// A real Tocsin server on 127.0.0.1 over a real SQLite file, with one user (`alice`) and her token.
struct LiveServer {
    let store: TocsinStore
    let token: String
    let client: any TestClientProtocol
    let server: TocsinServer
    let clock: ManualClock

    static let ingestPath = "/api/v1/ingest/alertmanager"

    /// Runs `body` against a freshly started server.
    static func run(
        ingestToken: String? = nil, maxBodyBytes: Int = 4 << 20, policies: TocsinConfiguration = TocsinConfiguration(),
        policyDirectory: String = "escalation-policies", busyTimeout: TimeInterval = 5, apiRateLimit: Double = 0,
        trustedProxies: [String] = [], sessionLifetime: TimeInterval = 12 * 3600, secureCookies: Bool = false,
        twilio: TwilioSettings? = nil, _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        let test = try TestStore(busyTimeout: busyTimeout)
        defer { test.remove() }
        let token = APIToken.generate()
        _ = try await test.store.addUser(
            name: "alice", email: "alice@example.com", tokenHash: APIToken.hash(token), scopes: [.admin], now: Date())
        var logger = Logger(label: "tocsin-test")
        logger.logLevel = .critical
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_795_800_000))
        var configuration = TocsinServer.Configuration(
            host: "127.0.0.1", port: 0, ingestToken: ingestToken, maxBodyBytes: maxBodyBytes, apiRateLimit: apiRateLimit,
            trustedProxies: trustedProxies)
        configuration.sessionLifetime = sessionLifetime
        configuration.secureCookies = secureCookies
        let server = TocsinServer(
            configuration: configuration,
            store: test.store, policies: ConfigurationStore(directory: policyDirectory, initial: policies),
            delivery: DeliverySettings(publicURL: "http://127.0.0.1:9797", twilio: twilio), linkKey: Array("test-link-key".utf8), clock: clock,
            logger: logger)
        // No dispatcher: these tests never send anything; delivery is tested end to end with real peers.
        try await server.makeApplication(deliver: false).test(.live) { client in
            try await body(LiveServer(store: test.store, token: token, client: client, server: server, clock: clock))
        }
    }

    /// POSTs `body` to the ingest endpoint.
    func ingest(
        _ body: some Collection<UInt8>, contentType: String? = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: Self.ingestPath, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// Calls the incident API with alice's token (or `token`, when given; "" sends none).
    func api(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        let presented = token ?? self.token
        if !presented.isEmpty { headers[.authorization] = "Bearer \(presented)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body decoded as a JSON object.
    func jsonObject() throws -> [String: Any] {
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
    }

    /// The body decoded with Tocsin's JSON settings.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        return try TocsinJSON.decoder().decode(T.self, from: Data(bytes))
    }

    /// `error.field` and `error.message` of a JSON error body.
    func apiError() throws -> (field: String?, message: String) {
        let error = try jsonObject()["error"] as? [String: Any] ?? [:]
        return (error["field"] as? String, error["message"] as? String ?? "")
    }
}
