import Foundation
import Hummingbird
import TocsinCore
import TocsinStore

/// `GET /api/v1/deliveries?state=dead,retry` and `POST /api/v1/deliveries/{id}/retry` (bearer token).
struct DeliveryRoutes {
    let store: TocsinStore
    let clock: any TocsinClock
    let wakeEngine: @Sendable () -> Void

    /// A listing of deliveries.
    struct Listing: Codable {
        var deliveries: [OutboxEntry]
    }

    func register(on router: Router<TocsinRequestContext>) {
        let group = router.group("/api/v1/deliveries").add(middleware: BearerAuthMiddleware(store: store))
        group.get { request, _ in
            var states: [OutboxEntry.State] = []
            for raw in (request.uri.queryParameters["state"].map(String.init) ?? "").split(separator: ",") {
                guard let state = OutboxEntry.State(rawValue: String(raw)) else {
                    throw APIError(
                        .badRequest, code: "invalid_parameter", field: "state",
                        message: "state must be one of \(OutboxEntry.State.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
                }
                states.append(state)
            }
            let limit = request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 100
            return try JSONResponse.make(Listing(deliveries: try await store.deliveries(states: states, limit: limit).map(\.forAPI)))
        }
        group.post("{id}/retry") { _, context in
            try context.require(.admin)
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                throw APIError(.badRequest, code: "invalid_parameter", field: "id", message: "delivery id must be a positive integer")
            }
            let entry = try await store.retryDelivery(id: id, now: clock.now)
            wakeEngine()
            return try JSONResponse.make(entry.forAPI)
        }
    }
}
