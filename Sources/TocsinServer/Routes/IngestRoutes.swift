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
    var gate: IngestGate { IngestGate(store: store, clock: clock, ingestToken: ingestToken, maxBodyBytes: maxBodyBytes) }
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
        try await gate.authorize(request, context: context)
        try gate.requireJSON(request)
        let body = try await gate.collectBody(request)
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
}
