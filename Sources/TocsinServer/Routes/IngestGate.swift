import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinStore

/// What every ingest endpoint (a source's webhook, a heartbeat's beat) checks before it reads a
/// payload: the ingest token, the media type and the size of the body.
struct IngestGate {
    let store: any StateStore
    let clock: any TocsinClock
    /// When set, requests must carry `Authorization: Bearer <ingestToken>` (or a user token with the `ingest` scope).
    let ingestToken: String?
    let maxBodyBytes: Int

    /// Whether `path` is an ingest endpoint (rate-limited by `--ingest-rate-limit`, not `--rate-limit`).
    static func isIngestPath(_ path: String) -> Bool {
        path.hasPrefix("/api/v1/ingest/") || path.hasPrefix("/api/v1/heartbeats/") || path == "/v2/enqueue"
    }

    /// `path` fit for logs and the audit trail: a CloudWatch subscription's path ends in its
    /// integration key, which is left out.
    static func loggable(_ path: String) -> String {
        let prefix = "/api/v1/ingest/cloudwatch/"
        return path.hasPrefix(prefix) ? prefix + "…" : path
    }

    /// With `--ingest-token`, the request must carry that token or a user token with the `ingest` scope.
    func authorize(_ request: Request, context: TocsinRequestContext) async throws {
        guard let ingestToken else { return }
        guard let presented = BearerAuthMiddleware.bearerToken(request) else {
            throw BearerAuthMiddleware.unauthorized(
                "this endpoint requires Authorization: Bearer <ingest token> (Alertmanager: http_config.authorization)")
        }
        if APIToken.constantTimeEquals(presented, ingestToken) { return }
        if let found = try await store.authenticate(tokenHash: APIToken.hash(presented)) {
            // A known user's token without the ingest scope is refused as such, not audited as a failed login.
            guard TokenScope.ingest.isGranted(by: found.scopes) else { throw APIError.missingScope(.ingest, has: found.scopes) }
            return
        }
        await store.auditFailedAuthentication(
            client: context.remoteAddress, detail: "wrong ingest token on \(request.method) \(Self.loggable(request.uri.path))", now: clock.now)
        throw BearerAuthMiddleware.unauthorized("wrong ingest token")
    }

    func requireJSON(_ request: Request) throws {
        let contentType = request.headers[.contentType] ?? ""
        guard HeaderText.isJSONMediaType(contentType) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type", field: "Content-Type",
                message: "expected Content-Type: application/json, got \(contentType.isEmpty ? "none" : "\"\(contentType)\"")")
        }
    }

    /// The body, at most `maxBodyBytes` long, or `sourceLimit` when a source has a smaller limit of
    /// its own (PagerDuty's events, SNS messages); longer is a 413 naming the limit.
    func collectBody(_ request: Request, sourceLimit: Int? = nil) async throws -> ByteBuffer {
        let limit = min(maxBodyBytes, sourceLimit ?? .max)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        }
    }

    private func tooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "payload_too_large",
            message: "the body is larger than the limit of \(limit) bytes"
                + (limit < maxBodyBytes ? " for this source" : " (serve --max-body-bytes)"))
    }
}
