import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinAPI
import TocsinCore
import TocsinStore

/// Mounted at `/api/v1/ingest`: `POST /alertmanager`, Alertmanager's webhook, committed before it is answered.
struct IngestRoutes {
    let store: TocsinStore
    let clock: any TocsinClock
    let configuration: ConfigurationStore
    let wakeEngine: @Sendable () -> Void
    /// When set, requests must carry `Authorization: Bearer <ingestToken>`.
    let ingestToken: String?
    let maxBodyBytes: Int
    /// The most alerts of one payload an incident keeps in full; the rest count as truncated.
    let maxAlertsPerIncident: Int

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.post("alertmanager") { request, context in
            do {
                return try await ingestAlertmanager(request, context: context)
            } catch {
                // Counted by the status it is answered with (a conflict is a 409, not a 503).
                ServerMetrics.rejected(status: Int(APIError(answering: error).status.code))
                throw error
            }
        }
        return routes
    }

    func ingestAlertmanager(_ request: Request, context: TocsinRequestContext) async throws -> IngestResultResource {
        try await authorize(request, context: context)
        try requireJSON(request)
        let body = try await collectBody(request)
        let now = clock.now
        let batch: AlertBatch
        do {
            batch = try AlertmanagerWebhook.decode(body.readableBytesView, receivedAt: now, maxAlerts: maxAlertsPerIncident)
        } catch {
            context.logger.notice("rejected ingest payload", metadata: ["problem": "\(error)"])
            throw APIError.invalidPayload(error)
        }
        let result = try await store.ingest(
            batch, configuration: configuration.configuration, now: now, correlationID: context.correlationID)
        ServerMetrics.received(batch)
        if result.escalationChanged {
            wakeEngine()
        }
        context.logger.info(
            "ingested",
            metadata: [
                "receiver": .string(batch.receiver),
                "incident_id": .string(result.incidentID.map(String.init) ?? "none"),
                "alerts_new": .stringConvertible(result.counts.new),
                "alerts_resolved": .stringConvertible(result.counts.resolved),
            ])
        return IngestResultResource(result)
    }

    /// With `--ingest-token`, the request must carry that token or a user token with the `ingest` scope.
    private func authorize(_ request: Request, context: TocsinRequestContext) async throws {
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
            client: context.remoteAddress, detail: "wrong ingest token on POST /api/v1/ingest/alertmanager", now: clock.now)
        throw BearerAuthMiddleware.unauthorized("wrong ingest token")
    }

    private func requireJSON(_ request: Request) throws {
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/json" else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type", field: "Content-Type",
                message: "expected Content-Type: application/json, got \(contentType.isEmpty ? "none" : "\"\(contentType)\"")")
        }
    }

    private func collectBody(_ request: Request) async throws -> ByteBuffer {
        let tooLarge = APIError(
            .contentTooLarge, code: "payload_too_large",
            message: "the body is larger than the limit of \(maxBodyBytes) bytes (serve --max-body-bytes)")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw tooLarge
        }
        do {
            return try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }
}
