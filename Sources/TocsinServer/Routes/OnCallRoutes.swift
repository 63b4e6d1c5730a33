import Foundation
import Hummingbird
import TocsinAPI
import TocsinCore
import TocsinStore

/// Who is on call (bearer token), mounted at `/api/v1/oncall`:
/// - `GET ?schedule=S&at=TIME`: the person on call for each schedule (and the next one);
/// - `GET /shifts?schedule=S&from=TIME&until=TIME`: the resolved shifts.
///
/// And overrides, mounted at `/api/v1/overrides`: `GET [?all=true]`, `POST`, `DELETE /{id}`.
struct OnCallRoutes {
    let store: any StateStore
    let clock: any TocsinClock
    let policies: ConfigurationStore
    let wakeEngine: @Sendable () -> Void

    var onCall: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get { request, _ in
            let at = try request.queryTime("at") ?? clock.now
            let overrides = try await store.overrides(endingAfter: at).map(\.override)
            return try schedules(request.uri.queryParameters["schedule"].map(String.init)).map { schedule in
                OnCallResource(
                    schedule, at: at, oncall: schedule.onCall(at: at, overrides: overrides),
                    next: schedule.nextOnCall(at: at, overrides: overrides))
            }
        }
        routes.get("shifts") { request, _ in
            let from = try request.queryTime("from") ?? clock.now
            let until = try request.queryTime("until") ?? from.addingTimeInterval(14 * 86_400)
            guard until > from, until.timeIntervalSince(from) <= 366 * 86_400 else {
                throw APIError(.badRequest, code: "invalid_parameter", field: "until",
                               message: "until must be after from, and at most 366 days after it")
            }
            let overrides = try await store.overrides(endingAfter: from).map(\.override)
            return try schedules(request.uri.queryParameters["schedule"].map(String.init)).map { schedule in
                OnCallTimelineResource(schedule, from: from, until: until, overrides: overrides)
            }
        }
        return routes
    }

    var overrides: RouteCollection<TocsinRequestContext> {
        let routes = RouteCollection(context: TocsinRequestContext.self).add(middleware: BearerAuthMiddleware(store: store))
        routes.get { request, _ in
            let all = request.uri.queryParameters["all"] == "true"
            return OverrideListResource(try await store.overrides(endingAfter: all ? nil : clock.now))
        }
        routes.post { request, context in
            try context.require(.respond)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            guard let body = try await request.decode(as: OverrideCreateBody?.self, context: context) else {
                throw APIError(.badRequest, code: "invalid_body", field: "schedule",
                               message: "a JSON body with schedule, person, from and until is required")
            }
            let stored = try await store.addOverride(try validated(body, by: user.name))
            wakeEngine()
            context.logger.notice("override added", metadata: ["override_id": "\(stored.id ?? 0)", "schedule": "\(stored.schedule)"])
            return EditedResponse(status: .created, response: OverrideResource(stored))
        }
        routes.delete("{id}") { _, context in
            try context.require(.respond)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            let removed = try await store.removeOverride(id: try context.parameters.requireID(of: "override"), by: user.name, now: clock.now)
            wakeEngine()
            return OverrideResource(removed)
        }
        return routes
    }

    /// The override the body asks for, or a 400 naming the field that is wrong.
    private func validated(_ body: OverrideCreateBody, by user: String) throws -> StoredOverride {
        try Self.override(
            schedule: body.schedule, person: body.person, from: try RFC3339.parameter(body.from, field: "from"),
            until: try RFC3339.parameter(body.until, field: "until"), note: body.note, by: user,
            configuration: policies.configuration, now: clock.now)
    }

    /// An override of `schedule` by `person`, checked against the configuration in force: a 400
    /// naming the field that is wrong (the API and the console ask the same).
    static func override(
        schedule: String, person name: String, from: Date?, until: Date?, note: String?, by user: String,
        configuration: TocsinConfiguration, now: Date
    ) throws -> StoredOverride {
        guard configuration.schedule(schedule) != nil else {
            throw APIError(.badRequest, code: "invalid_field", field: "schedule",
                           message: "unknown schedule \"\(schedule)\" (known: \(configuration.schedules.map(\.name).joined(separator: ", ")))")
        }
        guard let person = configuration.person(name) else {
            throw APIError(.badRequest, code: "invalid_field", field: "person", message: "unknown person \"\(name)\"")
        }
        guard !person.contacts.isEmpty else {
            throw APIError(.badRequest, code: "invalid_field", field: "person",
                           message: "\(name) has no email and no webhook: pages would reach nobody")
        }
        guard let from, let until else {
            throw APIError(.badRequest, code: "invalid_field", field: from == nil ? "from" : "until", message: "from and until are required")
        }
        guard until > from else {
            throw APIError(.badRequest, code: "invalid_field", field: "until", message: "until must be after from")
        }
        guard until > now else {
            throw APIError(.badRequest, code: "invalid_field", field: "until", message: "until is in the past: the override would never apply")
        }
        guard until.timeIntervalSince(from) <= 90 * 86_400 else {
            throw APIError(.badRequest, code: "invalid_field", field: "until",
                           message: "an override lasts at most 90 days; change the schedule for longer")
        }
        if let note, note.count > 1024 {
            throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note is longer than 1024 characters")
        }
        return StoredOverride(
            schedule: schedule, person: name, startsAt: from, endsAt: until, note: note, createdBy: user, createdAt: now)
    }

    private func schedules(_ name: String?) throws -> [OnCallSchedule] {
        let configuration = policies.configuration
        guard let name else { return configuration.schedules }
        guard let schedule = configuration.schedule(name) else {
            throw APIError(.notFound, code: "not_found", field: "schedule", message: "unknown schedule \"\(name)\"")
        }
        return [schedule]
    }
}
