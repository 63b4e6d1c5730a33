import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// Heartbeats, mounted at `/api/v1/heartbeats`:
/// - `POST /{name}`: a beat, any body (the ingest token when one is set), committed before it is answered;
/// - `GET`: every configured heartbeat with its last beat and state (bearer token).
struct HeartbeatRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    let policies: ConfigurationStore
    let gate: IngestGate
    let wakeEngine: @Sendable () -> Void

    var beats: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self)
        routes.post("{name}") { request, context in
            try await gate.authorize(request, context: context)
            let name = try context.parameters.require("name")
            let configuration = policies.configuration
            guard let heartbeat = configuration.heartbeat(name) else {
                throw APIError(
                    .notFound, code: "not_found", field: "name",
                    message: "no heartbeat named \"\(name)\" (configured: \(Self.names(configuration)); see heartbeats: in the policy directory)")
            }
            let body = try await gate.collectBody(request)  // any body (bounded)
            if Heartbeat.isResolvedNotice(body.readableBytesView) {
                // Alertmanager's last word on a Watchdog that stopped firing: not a sign of life.
                context.logger.notice("resolved notification is not a beat", metadata: ["heartbeat": "\(name)"])
                return HeartbeatResource(heartbeat, status: try await store.heartbeatStatuses()[name])
            }
            let result = try await store.recordBeat(
                heartbeat, configuration: configuration, now: clock.now, correlationID: context.correlationID)
            // The deadline moved (the escalator sleeps until the earliest), or an incident resolved.
            wakeEngine()
            if let recovery = result.recovery {
                context.logger.notice(
                    "heartbeat recovered",
                    metadata: ["heartbeat": "\(name)", "incident_id": "\(recovery.incidentID.map(String.init) ?? "none")"])
            } else {
                context.logger.debug("heartbeat", metadata: ["heartbeat": "\(name)"])
            }
            return HeartbeatResource(heartbeat, status: result.status)
        }
        return routes
    }

    var list: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get { _, _ in
            HeartbeatListResource(policies.configuration.heartbeats, statuses: try await store.heartbeatStatuses())
        }
        return routes
    }

    private static func names(_ configuration: TocsinConfiguration) -> String {
        configuration.heartbeats.isEmpty ? "none" : configuration.heartbeats.map(\.name).sorted().joined(separator: ", ")
    }
}
