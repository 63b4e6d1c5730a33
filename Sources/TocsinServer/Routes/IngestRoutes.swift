import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinAPI
import TocsinCore
import TocsinStore

/// Mounted at `/api/v1/ingest`, each payload committed before it is answered:
/// - `POST /alertmanager`: Alertmanager's webhook (the ingest token, when one is set);
/// - `POST` or `PUT /grafana`: Grafana's webhook contact point (the ingest token, when one is set);
/// - `POST /generic`: one generic JSON event (`Authorization: Bearer <generic integration key>`).
///
/// PagerDuty Events v2 and CloudWatch alarms have routes of their own (``PagerDutyRoutes``,
/// ``CloudWatchRoutes``); every source ends in ``Ingestor/commit(_:now:context:)``.
struct IngestRoutes {
    let ingestor: Ingestor
    let gate: IngestGate
    /// The most alerts of one payload an incident keeps in full; the rest count as truncated.
    let maxAlertsPerIncident: Int

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.post("alertmanager") { request, context in
            try await Ingestor.counted {
                try await webhook(request, context: context) { body, now throws(IngestValidationError) in
                    try AlertmanagerWebhook.decode(body, receivedAt: now, maxAlerts: maxAlertsPerIncident)
                }
            }
        }
        let grafana: @Sendable (Request, TocsinRequestContext) async throws -> IngestResultResource = { request, context in
            try await Ingestor.counted {
                try await webhook(request, context: context) { body, now throws(IngestValidationError) in
                    try GrafanaWebhook.decode(body, receivedAt: now, maxAlerts: maxAlertsPerIncident)
                }
            }
        }
        routes.post("grafana", use: grafana)
        routes.put("grafana", use: grafana)  // Grafana's contact point may be set to PUT
        routes.post("generic") { request, context in
            try await Ingestor.counted { try await generic(request, context: context) }
        }
        return routes
    }

    /// A webhook authenticated by the ingest token: `decode` turns its body into a batch.
    private func webhook(
        _ request: Request, context: TocsinRequestContext,
        decode: (ByteBufferView, Date) throws(IngestValidationError) -> AlertBatch
    ) async throws -> IngestResultResource {
        try await gate.authorize(request, context: context)
        try gate.requireJSON(request)
        let body = try await gate.collectBody(request)
        let now = ingestor.clock.now
        let batch = try decoded(context) { () throws(IngestValidationError) in try decode(body.readableBytesView, now) }
        return IngestResultResource(try await ingestor.commit(batch, now: now, context: context))
    }

    private func generic(_ request: Request, context: TocsinRequestContext) async throws -> IngestResultResource {
        let integration = try await ingestor.integration(
            presenting: BearerAuthMiddleware.bearerToken(request), source: .generic, field: "Authorization", request: request,
            context: context)
        try gate.requireJSON(request)
        let body = try await gate.collectBody(request)
        let now = ingestor.clock.now
        let batch = try decoded(context) { () throws(IngestValidationError) in
            try GenericEvent.decode(
                body.readableBytesView, receivedAt: now, integration: integration.receiver, integrationLabels: integration.labels)
        }
        return IngestResultResource(try await ingestor.commit(batch, now: now, context: context))
    }

    /// Runs a decoder, turning its refusal into a 400 naming the field (and a log line).
    private func decoded(
        _ context: TocsinRequestContext, _ decode: () throws(IngestValidationError) -> AlertBatch
    ) throws -> AlertBatch {
        do {
            return try decode()
        } catch {
            context.logger.notice("rejected ingest payload", metadata: ["problem": "\(error)"])
            throw APIError.invalidPayload(error)
        }
    }
}
