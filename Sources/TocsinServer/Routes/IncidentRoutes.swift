import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// The incident API used by the CLI, mounted at `/api/v1/incidents`: list, show, acknowledge,
/// resolve, notes, escalate now, page by hand, reassign. Bearer token required.
struct IncidentRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    /// The configuration in force: escalating by hand runs steps as the engine would.
    let policies: ConfigurationStore
    let wakeEngine: @Sendable () -> Void
    /// First pages already answered, while no incident has changed.
    let pageCache = IncidentPageCache()

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get(use: list)
        routes.post(use: openByHand)
        routes.get("{id}") { _, context in
            IncidentDetailResource(try await store.incident(id: try context.parameters.requireID(of: "incident")))
        }
        routes.post("{id}/ack") { request, context in
            try await command(request, context: context, store.acknowledge)
        }
        routes.post("{id}/resolve") { request, context in
            try await command(request, context: context, store.resolve)
        }
        routes.post("{id}/notes", use: note)
        routes.post("{id}/escalate", use: escalate)
        routes.post("{id}/page") { request, context in
            let (id, actor) = try Self.responder(context)
            let (page, channel) = try await manualPage(request, context: context, opening: false)
            let result = try await store.pageResponders(
                incident: id, page, by: Self.actor(actor, channel: channel), now: clock.now, configuration: policies.configuration)
            wakeEngine()
            return IncidentCommandResultResource(result)
        }
        routes.post("{id}/reassign") { request, context in
            let (id, actor) = try Self.responder(context)
            let (page, channel) = try await manualPage(request, context: context, opening: false)
            guard (page.policy == nil) != (page.person == nil), page.schedule == nil else {
                throw APIError(
                    .badRequest, code: "invalid_field", field: "policy", message: "reassign to exactly one of policy or person")
            }
            let result = try await store.reassign(
                incident: id, page, by: Self.actor(actor, channel: channel), now: clock.now, configuration: policies.configuration)
            wakeEngine()
            context.logger.notice("incident reassigned", metadata: ["incident_id": "\(id)"])
            return IncidentCommandResultResource(result)
        }
        return routes
    }

    @Sendable private func note(_ request: Request, context: TocsinRequestContext) async throws -> EditedResponse<NoteResultResource> {
        let (id, actor) = try Self.responder(context)
        guard let body = try await request.decode(as: NoteCreateBody?.self, context: context) else {
            throw APIError(.badRequest, code: "invalid_body", field: "note", message: "a JSON body with the note is required")
        }
        let text = body.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 4096 else {
            throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note must be 1 to 4096 characters")
        }
        let result = try await store.addNote(
            id: id, text: text, notify: body.notify ?? false, by: Self.actor(actor, channel: body.channel), now: clock.now)
        if result.notified > 0 { wakeEngine() }
        context.logger.info("incident note", metadata: ["incident_id": "\(id)", "notified": "\(result.notified)"])
        return EditedResponse(
            status: .created,
            response: NoteResultResource(
                incident: IncidentResource(result.incident), note: TimelineEntryResource(result.note), notified: result.notified))
    }

    @Sendable private func escalate(_ request: Request, context: TocsinRequestContext) async throws -> IncidentCommandResultResource {
        let (id, actor) = try Self.responder(context)
        let body = try await request.decode(as: EscalateBody?.self, context: context) ?? EscalateBody()
        if let step = body.toStep, step < 1 {
            throw APIError(.badRequest, code: "invalid_field", field: "to_step", message: "to_step must be 1 or more")
        }
        let note = try Self.note(body.note)
        let result = try await store.escalateNow(
            id: id, toStep: body.toStep, by: Self.actor(actor, channel: body.channel), note: note, now: clock.now,
            configuration: policies.configuration)
        wakeEngine()
        context.logger.notice("incident escalated by hand", metadata: ["incident_id": "\(id)", "to_step": "\(body.toStep.map(String.init) ?? "next")"])
        return IncidentCommandResultResource(result)
    }

    @Sendable private func openByHand(_ request: Request, context: TocsinRequestContext) async throws -> EditedResponse<IncidentCommandResultResource> {
        try context.require(.respond)
        guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
        let (page, channel) = try await manualPage(request, context: context, opening: true)
        let result = try await store.openManualIncident(
            page, by: Self.actor(user.name, channel: channel), now: clock.now, configuration: policies.configuration)
        wakeEngine()
        context.logger.notice("incident opened by hand", metadata: ["incident_id": "\(result.incident.id ?? 0)"])
        return EditedResponse(status: .created, response: IncidentCommandResultResource(result))
    }

    /// The page a body asks for, checked against the configuration in force (a 400 naming the field).
    private func manualPage(_ request: Request, context: TocsinRequestContext, opening: Bool) async throws -> (ManualPage, String?) {
        guard let body = try await request.decode(as: ManualPageBody?.self, context: context) else {
            throw APIError(.badRequest, code: "invalid_body", field: "person", message: "a JSON body naming a person, a schedule or a policy is required")
        }
        let page = ManualPage(
            summary: body.summary, severity: body.severity?.lowercased() ?? "critical", details: body.details, person: body.person,
            schedule: body.schedule, policy: body.policy)
        if let problem = page.problem(opening: opening, configuration: policies.configuration) {
            throw APIError(.badRequest, code: "invalid_field", field: problem.field, message: problem.description)
        }
        return (page, body.channel)
    }

    /// The incident id of the path and the user, who must have the `respond` scope.
    private static func responder(_ context: TocsinRequestContext) throws -> (Int64, String) {
        try context.require(.respond)
        let id = try context.parameters.requireID(of: "incident")
        guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
        return (id, user.name)
    }

    private static func actor(_ name: String, channel: String?) -> Actor {
        Actor(name: name, channel: channel.flatMap { ["cli", "api"].contains($0) ? $0 : nil } ?? "api")
    }

    /// An optional note: empty is none; longer than 4096 characters is a 400.
    static func note(_ text: String?) throws -> String? {
        let note = text.flatMap { $0.isEmpty ? nil : $0 }
        if let note, note.count > 4096 {
            throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note is longer than 4096 characters")
        }
        return note
    }

    /// A page of incidents; a first page unchanged since it was last answered is answered again
    /// from ``pageCache``.
    @Sendable private func list(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let filter = try request.queryValue("state", as: IncidentFilter.self) ?? .open
        let limit = try request.queryInteger("limit", in: 1...IncidentListResource.maxPageSize, default: 50)
        let before = try request.queryInteger("before", in: 1...Int.max).map(Int64.init)
        // A first page, on a store that says when the list changed, may be answered again. The
        // version is read before the page: a write committed meanwhile moves it, and the page is
        // read again next time.
        let cached = before == nil
            ? store.incidentListCacheVersion.map { (key: IncidentPageCache.Key(filter: filter, limit: limit), version: $0) } : nil
        if let cached, let body = pageCache.body(for: cached.key, at: cached.version) {
            return TocsinResponseEncoder.response(body: body, status: .ok)
        }
        let body = try TocsinResponseEncoder.body(
            IncidentListResource(try await store.incidents(filter: filter, limit: limit, before: before)))
        if let cached { pageCache.keep(body, for: cached.key, readAt: cached.version) }
        return TocsinResponseEncoder.response(body: body, status: .ok)
    }

    private func command(
        _ request: Request, context: TocsinRequestContext,
        _ action: (Int64, Actor, String?, Date) async throws(StoreError) -> IncidentCommandResult
    ) async throws -> IncidentCommandResultResource {
        let (id, user) = try Self.responder(context)
        let body = try await request.decode(as: IncidentCommandBody?.self, context: context) ?? IncidentCommandBody()
        let result = try await action(id, Self.actor(user, channel: body.channel), try Self.note(body.note), clock.now)
        if result.changed {
            wakeEngine()
        }
        context.logger.info(
            "incident command",
            metadata: ["incident_id": "\(id)", "state": "\(result.incident.state.rawValue)", "changed": "\(result.changed)"])
        return IncidentCommandResultResource(result)
    }
}
