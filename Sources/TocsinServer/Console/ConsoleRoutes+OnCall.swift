import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// The console's on-call page, and its forms to add and remove overrides (respond scope).
extension ConsoleRoutes {
    func addOnCallPages(to routes: RouterGroup<TocsinRequestContext>) {
        routes.get("oncall") { request, context in
            let notice = request.uri.queryParameters["done"].flatMap { ConsoleLayout.notices[String($0)] }
            let now = clock.now
            let view = OnCallView(
                configuration: policies.configuration, overrides: try await store.overrides(endingAfter: now),
                layout: ConsoleLayout(title: "On call", section: .oncall, context: context, notice: notice), now: now)
            return renderer.page("oncall", view)
        }
        routes.post("overrides") { request, context in
            let form = try await ConsoleForm(request, context: context)
            try context.require(.respond)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not signed in") }
            let zoneName = form["zone"] ?? "UTC"
            guard let zone = TimeZone(identifier: zoneName) else {
                throw APIError(.badRequest, code: "invalid_field", field: "zone", message: "unknown time zone \"\(zoneName)\"")
            }
            let override = try OnCallRoutes.override(
                schedule: try form.required("schedule"), person: try form.required("person"),
                from: try Self.localTime(form.required("from"), field: "from", in: zone),
                until: try Self.localTime(form.required("until"), field: "until", in: zone), note: form["note"], by: user.name,
                configuration: policies.configuration, now: clock.now)
            let stored = try await store.addOverride(override)
            wakeEngine()
            context.logger.notice("override added", metadata: ["override_id": "\(stored.id ?? 0)", "schedule": "\(stored.schedule)"])
            return ConsoleRenderer.redirect("/ui/oncall?done=override-added")
        }
        routes.post("overrides/{id}/remove") { request, context in
            _ = try await ConsoleForm(request, context: context)
            try context.require(.respond)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not signed in") }
            _ = try await store.removeOverride(id: try context.parameters.requireID(of: "override"), by: user.name, now: clock.now)
            wakeEngine()
            return ConsoleRenderer.redirect("/ui/oncall?done=override-removed")
        }
    }

    /// A browser's `datetime-local` value (`2026-12-03T14:30`, seconds optional) read in `zone`.
    static func localTime(_ text: String, field: String, in zone: TimeZone) throws -> Date {
        let invalid = APIError(
            .badRequest, code: "invalid_field", field: field, message: "\(field) must be a date and time like 2026-12-03T14:30")
        let halves = text.split(separator: "T")
        guard halves.count == 2 else { throw invalid }
        let day = halves[0].split(separator: "-").compactMap { Int($0) }
        let time = halves[1].split(separator: ":").compactMap { Int(Double($0) ?? -1) }
        guard day.count == 3, (2...3).contains(time.count), time.allSatisfy({ $0 >= 0 }) else { throw invalid }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(
            year: day[0], month: day[1], day: day[2], hour: time[0], minute: time[1], second: time.count == 3 ? time[2] : 0)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { throw invalid }
        return date
    }
}
