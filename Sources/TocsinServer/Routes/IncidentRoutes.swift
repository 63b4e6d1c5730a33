import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// The incident API used by the CLI: list, show, acknowledge, resolve. Bearer token required.
struct IncidentRoutes {
    let store: TocsinStore
    let clock: any TocsinClock
    let wakeEngine: @Sendable () -> Void

    /// The optional body of an ack or resolve.
    struct CommandBody: Decodable {
        var note: String?
        /// How the user reached Tocsin (`cli`, `api`); defaults to `api`.
        var channel: String?
    }

    func register(on router: Router<TocsinRequestContext>) {
        let group = router.group("/api/v1/incidents").add(middleware: BearerAuthMiddleware(store: store))
        group.get { request, _ in try await list(request) }
        group.get("{id}") { _, context in
            try JSONResponse.make(try await store.incident(id: try incidentID(context)).forAPI)
        }
        group.post("{id}/ack") { request, context in
            try await command(request, context: context, store.acknowledge)
        }
        group.post("{id}/resolve") { request, context in
            try await command(request, context: context, store.resolve)
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = IncidentFilter.open
        if let raw = query["state"].map(String.init) {
            guard let parsed = IncidentFilter(rawValue: raw) else {
                throw APIError(
                    .badRequest, code: "invalid_parameter", field: "state",
                    message: "state must be one of \(IncidentFilter.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
            }
            filter = parsed
        }
        let limit = try integer(query["limit"].map(String.init), field: "limit", range: 1...TocsinStore.maxPageSize) ?? 50
        let before = try integer(query["before"].map(String.init), field: "before", range: 1...Int.max).map(Int64.init)
        return try JSONResponse.make(try await store.incidents(filter: filter, limit: limit, before: before))
    }

    private func command(
        _ request: Request, context: TocsinRequestContext,
        _ action: (Int64, Actor, String?, Date) async throws(StoreError) -> IncidentCommandResult
    ) async throws -> Response {
        try context.require(.respond)
        let id = try incidentID(context)
        guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
        let body = try await request.decode(as: CommandBody?.self, context: context) ?? CommandBody()
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
        return try JSONResponse.make(result)
    }

    private func incidentID(_ context: TocsinRequestContext) throws -> Int64 {
        let raw = context.parameters.get("id") ?? ""
        guard let id = Int64(raw), id > 0 else {
            throw APIError(.badRequest, code: "invalid_parameter", field: "id",
                           message: "incident id must be a positive integer, got \"\(raw)\"")
        }
        return id
    }

    private func integer(_ raw: String?, field: String, range: ClosedRange<Int>) throws -> Int? {
        guard let raw else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw APIError(.badRequest, code: "invalid_parameter", field: field,
                           message: "\(field) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(raw)\"")
        }
        return value
    }
}
