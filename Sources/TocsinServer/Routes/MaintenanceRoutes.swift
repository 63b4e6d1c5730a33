import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// Maintenance windows, mounted at `/api/v1/maintenance`: `GET [?all=true]` (read), `POST` and
/// `DELETE /{id}` (admin; audited).
struct MaintenanceRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    /// The longest window without `force` (`serve --max-maintenance`).
    let maxLength: TimeInterval
    let wakeEngine: @Sendable () -> Void

    var collection: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get { request, _ in
            let all = request.uri.queryParameters["all"] == "true"
            let now = clock.now
            return MaintenanceListResource(
                windows: try await store.maintenanceWindows(all: all, now: now).map { MaintenanceWindowResource($0, now: now) })
        }
        routes.post { request, context in
            try context.require(.admin)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            guard let body = try await request.decode(as: MaintenanceCreateBody?.self, context: context) else {
                throw APIError(.badRequest, code: "invalid_body", field: "matchers", message: "a JSON body with matchers and until is required")
            }
            let now = clock.now
            var matchers: [Matcher] = []
            for (index, text) in body.matchers.enumerated() {
                do {
                    matchers.append(try Matcher(parsing: text))
                } catch {
                    throw APIError(.badRequest, code: "invalid_field", field: "matchers[\(index)]", message: "\(error)")
                }
            }
            if let note = body.note, note.count > 1024 {
                throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note is longer than 1024 characters")
            }
            let from = body.from ?? now
            if let problem = MaintenanceWindow.problem(
                matchers: matchers, startsAt: from, endsAt: body.until, now: now, maxLength: maxLength, force: body.force ?? false)
            {
                throw APIError(.badRequest, code: "invalid_field", field: problem.field, message: problem.description)
            }
            let added = try await store.addMaintenance(MaintenanceWindow(
                matchers: matchers, startsAt: from, endsAt: body.until, note: body.note.flatMap { $0.isEmpty ? nil : $0 },
                createdBy: user.name, createdAt: now))
            wakeEngine()  // the escalator looks again when the window closes
            context.logger.notice("maintenance window added", metadata: ["window_id": "\(added.id ?? 0)"])
            return EditedResponse(
                status: .created,
                response: MaintenanceWindowResource(MaintenanceSummary(window: added, heldIncidents: 0, heldAlerts: 0), now: now))
        }
        routes.delete("{id}") { _, context in
            try context.require(.admin)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            let id = try context.parameters.requireID(of: "maintenance window")
            let removed = try await store.removeMaintenance(id: id, by: user.name, now: clock.now)
            wakeEngine()  // what it held is paged now
            context.logger.notice("maintenance window removed", metadata: ["window_id": "\(id)"])
            return MaintenanceWindowResource(MaintenanceSummary(window: removed, heldIncidents: 0, heldAlerts: 0), now: clock.now)
        }
        return routes
    }
}

extension MaintenanceWindowResource {
    init(_ summary: MaintenanceSummary, now: Date) {
        let window = summary.window
        let state = window.isOpen(at: now) ? "open" : (window.closesAt <= now ? "closed" : "scheduled")
        self.init(
            id: window.id ?? 0, matchers: window.matchers.map(\.description), startsAt: window.startsAt, endsAt: window.endsAt,
            note: window.note, createdBy: window.createdBy, createdAt: window.createdAt, removedAt: window.removedAt, state: state,
            heldIncidents: summary.heldIncidents, heldAlerts: summary.heldAlerts)
    }
}
