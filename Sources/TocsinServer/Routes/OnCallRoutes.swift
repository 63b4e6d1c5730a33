import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// Who is on call, and overrides (bearer token):
/// - `GET /api/v1/oncall?schedule=S&at=TIME`: the person on call for each schedule (and the next one);
/// - `GET /api/v1/oncall/shifts?schedule=S&from=TIME&until=TIME`: the resolved shifts;
/// - `GET /api/v1/overrides[?all=true]`, `POST /api/v1/overrides`, `DELETE /api/v1/overrides/{id}`.
struct OnCallRoutes {
    let store: TocsinStore
    let clock: any TocsinClock
    let policies: ConfigurationStore
    let wakeEngine: @Sendable () -> Void

    struct OverrideBody: Decodable {
        var schedule: String
        var person: String
        var from: String
        var until: String
        var note: String?
    }

    func register(on router: Router<TocsinRequestContext>) {
        let oncall = router.group("/api/v1/oncall").add(middleware: BearerAuthMiddleware(store: store))
        oncall.get { request, _ in
            let query = request.uri.queryParameters
            let at = try time(query["at"].map(String.init), field: "at") ?? clock.now
            let overrides = try await store.overrides(endingAfter: at).map(\.override)
            return try JSONResponse.make(try schedules(query["schedule"].map(String.init)).map { schedule in
                OnCallAPI.Current(
                    schedule: schedule.name, timezone: schedule.timeZone, at: at,
                    oncall: schedule.onCall(at: at, overrides: overrides).map(Self.shift),
                    next: schedule.nextOnCall(at: at, overrides: overrides).map(Self.shift))
            })
        }
        oncall.get("shifts") { request, _ in
            let query = request.uri.queryParameters
            let from = try time(query["from"].map(String.init), field: "from") ?? clock.now
            let until = try time(query["until"].map(String.init), field: "until") ?? from.addingTimeInterval(14 * 86_400)
            guard until > from, until.timeIntervalSince(from) <= 366 * 86_400 else {
                throw APIError(.badRequest, code: "invalid_parameter", field: "until",
                               message: "until must be after from, and at most 366 days after it")
            }
            let overrides = try await store.overrides(endingAfter: from).map(\.override)
            return try JSONResponse.make(try schedules(query["schedule"].map(String.init)).map { schedule in
                OnCallAPI.Timeline(schedule: schedule.name, timezone: schedule.timeZone, shifts: Self.timeline(schedule, from, until, overrides))
            })
        }

        let overrides = router.group("/api/v1/overrides").add(middleware: BearerAuthMiddleware(store: store))
        overrides.get { request, _ in
            let all = request.uri.queryParameters["all"] == "true"
            return try JSONResponse.make(["overrides": try await store.overrides(endingAfter: all ? nil : clock.now)])
        }
        overrides.post { request, context in
            try context.require(.respond)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            let body = try await request.decode(as: OverrideBody?.self, context: context)
            guard let body else {
                throw APIError(.badRequest, code: "invalid_body", field: "schedule",
                               message: "a JSON body with schedule, person, from and until is required")
            }
            let stored = try await store.addOverride(try validated(body, by: user.name))
            wakeEngine()
            context.logger.notice("override added", metadata: ["override_id": "\(stored.id ?? 0)", "schedule": "\(stored.schedule)"])
            return try JSONResponse.make(stored, status: .created)
        }
        overrides.delete("{id}") { _, context in
            try context.require(.respond)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            guard let id = context.parameters.get("id").flatMap(Int64.init), id > 0 else {
                throw APIError(.badRequest, code: "invalid_parameter", field: "id", message: "override id must be a positive integer")
            }
            let removed = try await store.removeOverride(id: id, by: user.name, now: clock.now)
            wakeEngine()
            return try JSONResponse.make(removed)
        }
    }

    /// The override the body asks for, or a 400 naming the field that is wrong.
    private func validated(_ body: OverrideBody, by user: String) throws -> StoredOverride {
        let configuration = policies.configuration
        guard configuration.schedule(body.schedule) != nil else {
            throw APIError(.badRequest, code: "invalid_field", field: "schedule",
                           message: "unknown schedule \"\(body.schedule)\" (known: \(configuration.schedules.map(\.name).joined(separator: ", ")))")
        }
        guard let person = configuration.person(body.person) else {
            throw APIError(.badRequest, code: "invalid_field", field: "person", message: "unknown person \"\(body.person)\"")
        }
        guard !person.contacts.isEmpty else {
            throw APIError(.badRequest, code: "invalid_field", field: "person",
                           message: "\(body.person) has no email and no webhook: pages would reach nobody")
        }
        guard let from = try time(body.from, field: "from"), let until = try time(body.until, field: "until") else {
            throw APIError(.badRequest, code: "invalid_field", field: "from", message: "from and until are required")
        }
        guard until > from else {
            throw APIError(.badRequest, code: "invalid_field", field: "until", message: "until must be after from")
        }
        guard until > clock.now else {
            throw APIError(.badRequest, code: "invalid_field", field: "until", message: "until is in the past: the override would never apply")
        }
        guard until.timeIntervalSince(from) <= 90 * 86_400 else {
            throw APIError(.badRequest, code: "invalid_field", field: "until",
                           message: "an override lasts at most 90 days; change the schedule for longer")
        }
        if let note = body.note, note.count > 1024 {
            throw APIError(.badRequest, code: "invalid_field", field: "note", message: "note is longer than 1024 characters")
        }
        return StoredOverride(
            schedule: body.schedule, person: body.person, startsAt: from, endsAt: until, note: body.note, createdBy: user,
            createdAt: clock.now)
    }

    private func schedules(_ name: String?) throws -> [OnCallSchedule] {
        let configuration = policies.configuration
        guard let name else { return configuration.schedules }
        guard let schedule = configuration.schedule(name) else {
            throw APIError(.notFound, code: "not_found", field: "schedule", message: "unknown schedule \"\(name)\"")
        }
        return [schedule]
    }

    private func time(_ raw: String?, field: String) throws -> Date? {
        guard let raw else { return nil }
        guard let date = RFC3339.parse(raw) else {
            throw APIError(.badRequest, code: "invalid_parameter", field: field,
                           message: "\(field) must be an RFC 3339 time such as 2026-12-01T09:00:00Z, got \"\(raw)\"")
        }
        return date
    }

    static func shift(_ assignment: OnCallAssignment) -> OnCallAPI.Shift {
        OnCallAPI.Shift(person: assignment.person, source: source(assignment.source), start: assignment.start, end: assignment.end)
    }

    static func source(_ source: OnCallSource) -> String {
        switch source {
        case .layer(let name): "layer \(name)"
        case .override(let id): "override #\(id ?? 0)"
        }
    }

    /// The schedule's shifts with its gaps filled in as shifts of nobody, in order.
    static func timeline(_ schedule: OnCallSchedule, _ from: Date, _ until: Date, _ overrides: [ScheduleOverride]) -> [OnCallAPI.Shift] {
        let shifts = schedule.shifts(from: from, until: until, overrides: overrides).map {
            OnCallAPI.Shift(person: $0.person, source: source($0.source), start: $0.start, end: $0.end)
        }
        let gaps = schedule.gaps(from: from, until: until, overrides: overrides).map {
            OnCallAPI.Shift(person: nil, source: "gap", start: $0.start, end: $0.end)
        }
        return (shifts + gaps).sorted { $0.start < $1.start }
    }
}
