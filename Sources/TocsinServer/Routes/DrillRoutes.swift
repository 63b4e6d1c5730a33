import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// Live drill runs (bearer token): `POST /api/v1/drills` registers one and answers its id,
/// `GET /api/v1/drills` lists them, `POST /api/v1/drills/{id}/finish` ends one.
struct DrillRoutes {
    let store: TocsinStore
    let clock: any TocsinClock

    /// What a drill runner asks for.
    struct StartBody: Decodable {
        var name: String
        /// The loopback URL that captures the drill's pages; without it the drill pages nobody.
        var receiverURL: String?
        var realTargets: Bool?

        enum CodingKeys: String, CodingKey {
            case name
            case receiverURL = "receiver_url"
            case realTargets = "real_targets"
        }
    }

    /// A listing of drill runs.
    struct Listing: Codable {
        var drills: [DrillRun]
    }

    func register(on router: Router<TocsinRequestContext>) {
        let group = router.group("/api/v1/drills").add(middleware: BearerAuthMiddleware(store: store))
        group.get { _, _ in
            try JSONResponse.make(Listing(drills: try await store.drillRuns()))
        }
        group.post { request, context in
            try context.require(.admin)
            guard let user = context.user else { throw BearerAuthMiddleware.unauthorized("not authenticated") }
            let body = try await request.decode(as: StartBody?.self, context: context)
            guard let body else {
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
            context.logger.notice(
                "drill run started", metadata: ["drill_run": "\(run.id)", "real_targets": "\(run.realTargets)"])
            let started = try await store.startDrill(run)
            try await store.audit(AuditEvent(
                at: clock.now, kind: .drillStarted, actor: user.name, source: context.remoteAddress,
                detail: "drill run \(run.id) \"\(run.name)\"" + (run.realTargets ? " with real targets" : "")))
            return try JSONResponse.make(started, status: .created)
        }
        group.post("{id}/finish") { _, context in
            try context.require(.admin)
            let id = context.parameters.get("id") ?? ""
            let run = try await store.finishDrill(id: id, now: clock.now)
            try await store.audit(AuditEvent(
                at: clock.now, kind: .drillFinished, actor: context.user?.name ?? "unknown", source: context.remoteAddress,
                detail: "drill run \(run.id) \"\(run.name)\""))
            context.logger.notice("drill run finished", metadata: ["drill_run": "\(run.id)"])
            return try JSONResponse.make(run)
        }
    }
}
