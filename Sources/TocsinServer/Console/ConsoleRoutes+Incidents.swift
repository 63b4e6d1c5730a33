import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// The console's incident pages and their forms: the list, one incident, and acknowledge,
/// resolve, note, escalate now and page someone. Every form needs the respond scope and the
/// session's form token, and answers with a redirect back to the incident.
extension ConsoleRoutes {
    func addIncidentPages(to routes: RouterGroup<TocsinRequestContext>) {
        routes.get("incidents") { request, context in
            let filter = try request.queryValue("state", as: IncidentFilter.self) ?? .open
            let before = try request.queryInteger("before", in: 1...Int.max).map(Int64.init)
            let page = try await store.incidents(filter: filter, limit: 50, before: before)
            let layout = ConsoleLayout(title: "Incidents", section: .incidents, context: context)
            return renderer.page("incidents", IncidentListView(page: page, filter: filter, layout: layout, now: clock.now))
        }
        routes.get("incidents/{id}") { request, context in
            let id = try context.parameters.requireID(of: "incident")
            let detail = try await store.incident(id: id)
            let notice = request.uri.queryParameters["done"].flatMap { ConsoleLayout.notices[String($0)] }
            let layout = ConsoleLayout(title: "#\(id) \(detail.incident.title)", section: .incidents, context: context, notice: notice)
            return renderer.page(
                "incident", IncidentPageView(detail, layout: layout, configuration: policies.configuration, now: clock.now))
        }
        routes.post("incidents/{id}/ack") { request, context in
            let (id, form, actor) = try await responding(request, context)
            let result = try await store.acknowledge(id: id, by: actor, note: try IncidentRoutes.note(form["note"]), now: clock.now)
            return done(id, result.changed ? "acknowledged" : "unchanged")
        }
        routes.post("incidents/{id}/resolve") { request, context in
            let (id, form, actor) = try await responding(request, context)
            let result = try await store.resolve(id: id, by: actor, note: try IncidentRoutes.note(form["note"]), now: clock.now)
            return done(id, result.changed ? "resolved" : "unchanged")
        }
        routes.post("incidents/{id}/notes") { request, context in
            let (id, form, actor) = try await responding(request, context)
            let text = try form.required("note")
            guard text.count <= 4096 else {
                throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note must be 1 to 4096 characters")
            }
            _ = try await store.addNote(id: id, text: text, notify: form["notify"] == "on", by: actor, now: clock.now)
            return done(id, "noted")
        }
        routes.post("incidents/{id}/escalate") { request, context in
            let (id, form, actor) = try await responding(request, context)
            _ = try await store.escalateNow(
                id: id, toStep: nil, by: actor, note: try IncidentRoutes.note(form["note"]), now: clock.now,
                configuration: policies.configuration)
            return done(id, "escalated")
        }
        routes.post("incidents/{id}/page") { request, context in
            let (id, form, actor) = try await responding(request, context)
            let page = try manualPage(form)
            _ = try await store.pageResponders(incident: id, page, by: actor, now: clock.now, configuration: policies.configuration)
            return done(id, "paged")
        }
    }

    /// The incident of the path, the checked form, and who acts (respond scope required).
    private func responding(
        _ request: Request, _ context: TocsinRequestContext
    ) async throws -> (Int64, ConsoleForm, Actor) {
        let form = try await ConsoleForm(request, context: context)
        try context.require(.respond)
        guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not signed in") }
        return (try context.parameters.requireID(of: "incident"), form, Actor(name: user.name, channel: "console"))
    }

    /// The page the form asks for (`target` is `person:NAME` or `schedule:NAME`), checked against the configuration.
    private func manualPage(_ form: ConsoleForm) throws -> ManualPage {
        let target = try form.required("target")
        let message = form["message"]
        var page = ManualPage(summary: message, details: nil)
        if target.hasPrefix("person:") {
            page.person = String(target.dropFirst("person:".count))
        } else if target.hasPrefix("schedule:") {
            page.schedule = String(target.dropFirst("schedule:".count))
        } else {
            throw APIError(.badRequest, code: "invalid_field", field: "target", message: "target must be person:NAME or schedule:NAME")
        }
        if let problem = page.problem(opening: false, configuration: policies.configuration) {
            throw APIError(.badRequest, code: "invalid_field", field: problem.field, message: problem.description)
        }
        return page
    }

    private func done(_ id: Int64, _ notice: String) -> Response {
        wakeEngine()
        return ConsoleRenderer.redirect("/ui/incidents/\(id)?done=\(notice)")
    }
}
