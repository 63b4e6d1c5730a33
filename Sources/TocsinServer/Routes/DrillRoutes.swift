import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// Live drill runs, mounted at `/api/v1/drills` (bearer token): `POST` registers one and answers
/// its id, `GET` lists them, `POST /{id}/finish` ends one.
struct DrillRoutes {
    let store: any StateStore
    let clock: any TocsinClock

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get { _, _ in
            DrillListResource(try await store.drillRuns(limit: 50))
        }
        routes.post(use: start)
        routes.post("{id}/finish") { _, context in
            try context.require(.admin)
            let run = try await store.finishDrill(id: try context.parameters.require("id"), now: clock.now)
            try await store.audit(AuditEvent(
                at: clock.now, kind: .drillFinished, actor: context.user?.name ?? "unknown", source: context.remoteAddress,
                detail: "drill run \(run.id) \"\(run.name)\""))
            context.logger.notice("drill run finished", metadata: ["drill_run": "\(run.id)"])
            return DrillRunResource(run)
        }
        return routes
    }

    @Sendable private func start(_ request: Request, context: TocsinRequestContext) async throws -> EditedResponse<DrillRunResource> {
        try context.require(.admin)
        guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
        guard let body = try await request.decode(as: DrillStartBody?.self, context: context) else {
            throw APIError(.badRequest, code: "invalid_body", field: "name", message: "a JSON body with \"name\" is required")
        }
        guard !body.name.isEmpty, body.name.count <= 200 else {
            throw APIError(.badRequest, code: "invalid_field", field: "name", message: "name must be 1 to 200 characters")
        }
        if let url = body.receiverURL, !DrillRun.isAllowedReceiver(url) {
            throw APIError(
                .badRequest, code: "invalid_field", field: "receiver_url",
                message: "receiver_url must be an http:// URL on 127.0.0.1, ::1 or localhost, got \"\(url)\"")
        }
        let run = DrillRun(
            id: "drill-" + UUID().uuidString.prefix(8).lowercased(), name: body.name, receiverURL: body.receiverURL,
            realTargets: body.realTargets ?? false, startedBy: user.name, startedAt: clock.now)
        context.logger.notice("drill run started", metadata: ["drill_run": "\(run.id)", "real_targets": "\(run.realTargets)"])
        let started = try await store.startDrill(run)
        try await store.audit(AuditEvent(
            at: clock.now, kind: .drillStarted, actor: user.name, source: context.remoteAddress,
            detail: "drill run \(run.id) \"\(run.name)\"" + (run.realTargets ? " with real targets" : "")))
        return EditedResponse(status: .created, response: DrillRunResource(started))
    }
}
