import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// The incident API used by the CLI, mounted at `/api/v1/incidents`: list, show, acknowledge,
/// resolve. Bearer token required.
struct IncidentRoutes {
    let store: TocsinStore
    let clock: any TocsinClock
    let wakeEngine: @Sendable () -> Void

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get(use: list)
        routes.get("{id}") { _, context in
            IncidentDetailResource(try await store.incident(id: try context.parameters.requireID(of: "incident")))
        }
        routes.post("{id}/ack") { request, context in
            try await command(request, context: context, store.acknowledge)
        }
        routes.post("{id}/resolve") { request, context in
            try await command(request, context: context, store.resolve)
        }
        return routes
    }

    @Sendable private func list(_ request: Request, context: TocsinRequestContext) async throws -> IncidentListResource {
        let filter = try request.queryValue("state", as: IncidentFilter.self) ?? .open
        let limit = try request.queryInteger("limit", in: 1...IncidentListResource.maxPageSize, default: 50)
        let before = try request.queryInteger("before", in: 1...Int.max).map(Int64.init)
        return IncidentListResource(try await store.incidents(filter: filter, limit: limit, before: before))
    }

    private func command(
        _ request: Request, context: TocsinRequestContext,
        _ action: (Int64, Actor, String?, Date) async throws(StoreError) -> IncidentCommandResult
    ) async throws -> IncidentCommandResultResource {
        try context.require(.respond)
        let id = try context.parameters.requireID(of: "incident")
        guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
        let body = try await request.decode(as: IncidentCommandBody?.self, context: context) ?? IncidentCommandBody()
        let note = body.note.flatMap { $0.isEmpty ? nil : $0 }
        if let note, note.count > 4096 {
            throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note is longer than 4096 characters")
        }
        let actor = Actor(name: user.name, channel: body.channel.flatMap { ["cli", "api"].contains($0) ? $0 : nil } ?? "api")
        let result = try await action(id, actor, note, clock.now)
        if result.changed {
            wakeEngine()
        }
        context.logger.info(
            "incident command",
            metadata: ["incident_id": "\(id)", "state": "\(result.incident.state.rawValue)", "changed": "\(result.changed)"])
        return IncidentCommandResultResource(result)
    }
}
