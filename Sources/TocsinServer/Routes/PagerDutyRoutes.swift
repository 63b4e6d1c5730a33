import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TocsinAPI
import TocsinCore
import TocsinStore

/// PagerDuty's Events API v2, so that an existing integration can point at Tocsin:
/// `POST /v2/enqueue` (mounted at the root, as PagerDuty serves it) and the same body at
/// `POST /api/v1/ingest/pagerduty`. `routing_key` is the key of a `pagerduty` integration.
///
/// Answers as PagerDuty does: 202 `{"status":"success","message":"Event processed","dedup_key":…}`
/// once committed, and 400 `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`.
struct PagerDutyRoutes {
    let ingestor: Ingestor
    let gate: IngestGate
    /// PagerDuty's own limit on an event's size.
    static let maxBodyBytes = 512 * 1024

    /// The route, to mount at `/v2` (as `/enqueue`) and at `/api/v1/ingest` (as `/pagerduty`).
    func collection(path: RouterPath) -> RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.post(path) { request, context in
            try await Ingestor.counted { try await enqueue(request, context: context) }
        }
        return routes
    }

    private func enqueue(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let body = try await gate.collectBody(request, sourceLimit: Self.maxBodyBytes)
        let now = ingestor.clock.now
        let event: PagerDutyEvent
        do {
            event = try PagerDutyEvent.decode(body.readableBytesView, receivedAt: now)
        } catch {
            context.logger.notice("rejected PagerDuty event", metadata: ["problem": "\(error)"])
            ServerMetrics.rejected(status: 400)
            let invalid = PagerDutyInvalidEventResource(
                status: PagerDutyEvent.Invalid.status, message: PagerDutyEvent.Invalid.message, errors: error.messages)
            return try EditedResponse(status: .badRequest, response: invalid).response(from: request, context: context)
        }
        let integration = try await ingestor.integration(
            presenting: event.routingKey, source: .pagerduty, field: "routing_key", request: request, context: context)
        // PagerDuty makes up a dedup key for a trigger without one, and returns it.
        let dedupKey = event.dedupKey ?? IntegrationKey.generate()
        switch event.action {
        case .acknowledge:
            if let open = try await ingestor.store.latestIncident(
                source: PagerDutyEvent.source, receiver: integration.receiver, groupKey: dedupKey),
                let id = open.incident.id, open.incident.state.isOpen
            {
                let result = try await ingestor.store.acknowledge(
                    id: id, by: Actor(name: integration.name, channel: PagerDutyEvent.source), note: nil, now: now)
                if result.changed { ingestor.wakeEngine(true) }
            }
        case .trigger, .resolve:
            var stored: Alert?
            if event.action == .resolve, event.payload == nil {
                // A bare resolve keeps the labels and annotations its trigger gave the alert.
                stored = try await storedAlert(receiver: integration.receiver, dedupKey: dedupKey)
            }
            if let batch = event.batch(
                integration: integration.receiver, integrationLabels: integration.labels, dedupKey: dedupKey, receivedAt: now,
                resolving: stored)
            {
                _ = try await ingestor.commit(batch, now: now, context: context)
            }
        }
        let accepted = PagerDutyEventResultResource(status: "success", message: "Event processed", dedupKey: dedupKey)
        return try EditedResponse(status: .accepted, response: accepted).response(from: request, context: context)
    }

    private func storedAlert(receiver: String, dedupKey: String) async throws -> Alert? {
        let fingerprint = Fingerprint(source: PagerDutyEvent.source, key: dedupKey)
        guard let detail = try await ingestor.store.latestIncident(source: PagerDutyEvent.source, receiver: receiver, groupKey: dedupKey),
            let alert = detail.alerts.first(where: { $0.fingerprint == fingerprint })
        else { return nil }
        return Alert(
            fingerprint: fingerprint, status: alert.status, labels: alert.labels, annotations: alert.annotations,
            startsAt: alert.startsAt, endsAt: alert.endsAt, generatorURL: alert.generatorURL)
    }
}
